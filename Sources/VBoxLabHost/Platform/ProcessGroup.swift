import Foundation
import VBoxLabModel

/// A child spawned as leader of its own process group (`SpawnRequest.ownProcessGroup`),
/// with whatever it starts in turn. Signalling the group rather than the child matters
/// when the child is a wrapper: a script's own children hold the same pipes, and killing
/// only the script would leave the reader waiting for them to end on their own.
struct ProcessGroup {
    /// The group's id, the leader's pid. The kernel reuses neither while the group has a
    /// member, so a signal sent after the leader was reaped reaches only its leftovers.
    let id: pid_t

    func send(_ signal: Int32) { _ = kill(-id, signal) }
}
