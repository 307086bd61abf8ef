import Foundation
import VBoxLabModel

/// A lab `stop` put to rest: when, and which VMs kept their running state (`stop --save`),
/// so `start` resumes those and boots the rest.
public struct LabRest: Codable, Sendable, Equatable {
    /// When the lab was stopped (ISO 8601).
    public var since: String
    /// VMs whose running state was saved: they resume where they were.
    public var saved: [String]

    public init(since: String = LabRecord.timestamp(), saved: [String] = []) {
        self.since = since
        self.saved = saved
    }
}

/// A lab's state as `list` and `status` name it: every VM up, every VM down (their running
/// state kept or not), or some of each.
public enum LabRunState: String, Sendable, Equatable {
    case running, stopped, saved, partial

    public static func of(running: Int, total: Int, rest: LabRest?) -> LabRunState {
        if running == total && total > 0 { return .running }
        if running == 0 { return rest.map { !$0.saved.isEmpty } == true ? .saved : .stopped }
        return .partial
    }
}

/// A snapshot of the whole lab (`vboxlab snapshot save NAME`): every VM at one moment.
public struct LabSnapshot: Codable, Sendable, Equatable {
    public var name: String
    /// When it was taken (ISO 8601).
    public var taken: String
    /// The VMs that ran when it was taken: `restore` starts them again from that moment.
    public var running: [String]

    public init(name: String, taken: String = LabRecord.timestamp(), running: [String]) {
        self.name = name
        self.taken = taken
        self.running = running
    }

    /// The name every VM's own snapshot has: vboxlab's, never a base's or the user's.
    public var vmSnapshotName: String { "vboxlab-\(name)" }

    /// A snapshot name: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 40.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 40,
            CharacterSet.alphanumerics.contains(first), first.isASCII
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
        }
    }
}
