import Foundation

/// A child's time limit while its pipes are read. Past it the child is asked to stop
/// (SIGTERM), then made to (SIGKILL) 2 s later; its pipes then close.
struct ChildTimeout {
    private let deadline: Date?
    private let child: pid_t
    private(set) var expired = false
    private var stoppedAt = Date.distantFuture

    init(seconds: Double?, child: pid_t) {
        deadline = seconds.map { Date().addingTimeInterval($0) }
        self.child = child
    }

    /// How long the next `poll` may wait in milliseconds (-1: as long as it takes), once
    /// any signal now due is sent.
    mutating func nextWait(now: Date = Date()) -> Int32? {
        guard let deadline else { return -1 }
        let left = deadline.timeIntervalSince(now)
        if left > 0 { return Int32(min(left * 1000 + 1, 1000)) }
        if !expired {
            expired = true; stoppedAt = now
            kill(child, SIGTERM)
        } else if now.timeIntervalSince(stoppedAt) > 2 {
            kill(child, SIGKILL)
        }
        return 100
    }
}
