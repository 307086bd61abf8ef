import VBoxLabHost
import VBoxLabModel

/// A base image several labs build on (a Vagrant box's base VM): made once, shared, and
/// never removed by one lab's destroy.
public struct SharedBase: Sendable, Equatable {
    public var name: String
    /// The provider's identity for it (a VM's UUID).
    public var id: String
    /// The recorded labs that build on it.
    public var labs: [String]
    public init(name: String, id: String, labs: [String]) {
        self.name = name
        self.id = id
        self.labs = labs
    }
}

/// A provider capability: shared base images that `list` shows and `prune-bases` removes.
public protocol BaseImageManaging: LabProvider {
    func baseImages(records: [LabRecord]) throws(VBoxLabError) -> [SharedBase]
    /// Removes the images no recorded lab (and nothing else) builds on; returns their names.
    func pruneBases(records: [LabRecord]) throws(VBoxLabError) -> [String]
}
