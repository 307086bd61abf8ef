import Foundation
import VBoxLabHost
import VBoxLabModel

/// The host's named network namespaces, read from `/run/netns` without a process: the
/// registering switch's, and whatever a provider makes to play VMs.
public enum HostNamespaces {
    public static let directory = "/run/netns"

    public static func namespaces() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
    }

    /// The namespace's identity: the inode of its nsfs file, which `/run/netns/NAME` is a
    /// bind mount of. A namespace deleted and made again under the same name gets another,
    /// so a record's (name, identity) pair says whether the namespace is still the lab's.
    public static func identity(_ name: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)"),
            let inode = attributes[.systemFileNumber] as? NSNumber
        else { return nil }
        return inode.stringValue
    }

    /// The namespaces of `record` that are on the host and still the ones it made.
    /// A pending record (a create that was stopped) adopts the names it meant to make.
    public static func owned(by record: LabRecord?, existing: Set<String>) -> Set<String> {
        guard let record else { return [] }
        var out = Set<String>()
        for o in record.owned where o.kind == .namespace && existing.contains(o.name) {
            if let id = o.id {
                if identity(o.name) == id { out.insert(o.name) }
            } else if record.pending {
                out.insert(o.name)
            }
        }
        return out
    }

    /// The record with each namespace it names without an identity, that is on the host now,
    /// identified: for a run that made it, or a pending record that adopted it. A record that
    /// stops being pending loses adopted names, so the identity is written while it still owns them.
    public static func pinned(_ record: LabRecord) -> LabRecord {
        var record = record
        for i in record.owned.indices where record.owned[i].kind == .namespace && record.owned[i].id == nil {
            record.owned[i].id = identity(record.owned[i].name)
        }
        return record
    }
}

extension OwnedObject.Kind {
    /// A network namespace, identified by its nsfs inode.
    public static let namespace = OwnedObject.Kind(rawValue: "namespace")
}
