import Foundation
import VBoxLabModel

/// A child's time limit while its pipes are read. Past it the child's process group is
/// asked to stop (SIGTERM), then made to (SIGKILL) 2 s later. 5 s past it the pipes are
/// given up: what still holds them left the group (`setsid`), and a time limit that
/// waits on it is no limit.
struct ChildTimeout {
    private let deadline: Date?
    private let group: ProcessGroup
    private(set) var expired = false
    private var stoppedAt = Date.distantFuture

    init(seconds: Double?, group: ProcessGroup) {
        deadline = seconds.map { Date().addingTimeInterval($0) }
        self.group = group
    }

    /// How long the next `poll` may wait in milliseconds (-1: as long as it takes), once
    /// any signal now due is sent; nil when the pipes are to be given up.
    mutating func nextWait(now: Date = Date()) -> Int32? {
        guard let deadline else { return -1 }
        let left = deadline.timeIntervalSince(now)
        if left > 0 { return Int32(min(left * 1000 + 1, 1000)) }
        if !expired {
            expired = true
            stoppedAt = now
            group.send(SIGTERM)
        } else {
            let since = now.timeIntervalSince(stoppedAt)
            if since > 5 { return nil }
            if since > 2 { group.send(SIGKILL) }
        }
        return 100
    }
}
