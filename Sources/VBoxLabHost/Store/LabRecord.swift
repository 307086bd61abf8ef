import Foundation
import VBoxLabModel

/// What `create` wrote down about one lab: where its spec is, which provider made it,
/// and what it made. The system stays the truth: the record is how a lab is found and
/// which objects are the lab's to change or delete, and every command checks it against
/// what the system shows (a namespace of the same name but another identity is not ours).
public struct LabRecord: Codable, Sendable, Equatable {
    public var lab: String
    /// Absolute path of the spec the lab was made from.
    public var spec: String
    public var provider: String
    /// The lab's VMs, as of the last create or fix-macs.
    public var vms: [String]
    /// Objects this lab owns on the system.
    public var owned: [OwnedObject]
    /// Set while a create is under way: objects named here but not yet identified were
    /// being made by that run, and a later run may adopt them.
    public var pending: Bool
    /// Shared base images the lab's VMs build on: never the lab's to delete, but in use
    /// while the lab lives (`prune-bases` leaves them).
    public var bases: [String]?
    /// Objects an undo could not remove: the lab needs `vboxlab destroy` (list says so).
    public var stranded: [String]?
    /// The prefix of the names the lab's objects have on the host (VirtualBox): "" for none.
    public var prefix: String?
    /// VMs whose guest setup failed at the last create or fix-macs: made, but not set up.
    public var guestsNotSetUp: [String]?
    /// VMs whose setup `ssh-setup --persist` wrote as the guest's configuration: every later
    /// setup of theirs rewrites those files where they differ, so a reboot brings back the
    /// setup as it is now and not as it was then.
    public var persisted: [String]?
    /// VMs vboxlab shut down to change them and has not yet started again: a run stopped
    /// meanwhile leaves them here, and the next run starts them.
    public var stopped: [String]?
    /// How `stop` left the lab: nil while it runs (or was never stopped).
    public var rest: LabRest?
    /// The lab's snapshots, oldest first (`vboxlab snapshot`).
    public var snapshots: [LabSnapshot]?
    /// The strategy the lab was last built with when `--strategy` overrode the spec's, so that
    /// `start` brings back the lab that was stopped, and check and ssh-setup plan as it was built.
    public var strategy: String?

    /// `strategy` as the solver takes it: nil for the spec's own.
    public var builtWith: Strategy? { strategy.flatMap(Strategy.init(rawValue:)) }
    public var created: String
    public var updated: String

    public init(
        lab: String, spec: String, provider: String, vms: [String], owned: [OwnedObject] = [], pending: Bool = false
    ) {
        self.lab = lab
        self.spec = spec
        self.provider = provider
        self.vms = vms
        self.owned = owned
        self.pending = pending
        let now = LabRecord.timestamp()
        created = now
        updated = now
    }

    public static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// A VM's or network's name on the host, by the prefix the lab was made with (none for a
    /// record from before prefixes).
    public func hostName(_ name: String) -> String { (prefix ?? "").isEmpty ? name : "\(prefix!)-\(name)" }

    /// The spec's name of a host name the lab made; as it is when the lab has no prefix or
    /// the name does not carry it.
    public func specName(ofHost name: String) -> String {
        guard let p = prefix, !p.isEmpty, name.hasPrefix(p + "-") else { return name }
        return String(name.dropFirst(p.count + 1))
    }

    public func owns(_ kind: OwnedObject.Kind, named name: String) -> OwnedObject? {
        owned.first { $0.kind == kind && $0.name == name }
    }
}

/// One thing a lab made on the host, of a kind its provider names, with the identity that
/// tells it from another object of the same name.
public struct OwnedObject: Codable, Sendable, Equatable, Hashable {
    /// A provider's word for what it made (each provider declares its kinds in its folder).
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }
    }
    public var kind: Kind
    public var name: String
    /// The identity that tells this object from another of the same name; nil while a
    /// pending create has not yet read it.
    public var id: String?
    /// While the object is being made under a name of its own (an import, whose identity is
    /// known only afterwards): that name, unique, so an undo can find it.
    public var makingAs: String?
    public init(kind: Kind, name: String, id: String?, makingAs: String? = nil) {
        self.kind = kind
        self.name = name
        self.id = id
        self.makingAs = makingAs
    }
}
