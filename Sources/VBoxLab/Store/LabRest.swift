import Foundation

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
