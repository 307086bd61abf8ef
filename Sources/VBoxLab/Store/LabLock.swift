import Foundation

/// One command at a time per lab: an exclusive `flock` on LAB.lock in the runtime
/// directory (`StatePaths.runtime`, /run/vboxlab for root on Linux).
/// A second `create` of the same lab waits up to `timeout` seconds, then refuses.
public final class LabLock: @unchecked Sendable {
    private let fd: Int32
    public let path: String

    public init(lab: String, directory: String = StatePaths.fromEnvironment().runtime, timeout: Double = 60, progress: ProgressHandler? = nil) throws(VBoxLabError) {
        try PrivateDirectory.ensure(directory)
        path = "\(directory)/\(lab).lock"
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(.cannotWrite(path: "the lock file \(path)", reason: String(cString: strerror(errno)))) }
        let deadline = Date().addingTimeInterval(timeout)
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if !told { progress?("another vboxlab command is working on lab \(lab); waiting for it (lock \(path))"); told = true }
            if Date() > deadline {
                close(fd)
                throw .lab(.busy(lab: lab, lock: path, waited: timeout))
            }
            usleep(100_000)
        }
    }

    /// The lock on the shared bases of boxes: `prune-bases` holds it while it deletes, and a
    /// create while it imports and clones a base, so neither pulls a base from under the other.
    /// Its name starts with `+`, which no lab's can.
    public static func bases(directory: String, progress: ProgressHandler? = nil) throws(VBoxLabError) -> LabLock {
        try LabLock(lab: "+bases", directory: directory, progress: progress)
    }

    /// Set once the lab is gone (destroy): the lock file goes with the lock, so no file
    /// is left per lab that ever existed.
    public var removeFileOnRelease = false

    deinit {
        if removeFileOnRelease { unlink(path) }
        flock(fd, LOCK_UN); close(fd)
    }
}
