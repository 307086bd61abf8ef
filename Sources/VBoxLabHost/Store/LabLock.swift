import Foundation
import VBoxLabModel

/// One command at a time per lab: an exclusive `flock` on LAB.lock in the runtime
/// directory (`StatePaths.runtime`, /run/vboxlab for root on Linux). A second command waits
/// up to `timeout` seconds, saying which command it waits for, then refuses naming it.
///
/// The lock file goes with a lab that is gone (`removeFileOnRelease`). A command that
/// opened the file before it was removed would then hold a lock on a file no one else can
/// open, so after each `flock` the lock checks the path still names the file it locked,
/// and starts again on the new file when it does not.
public final class LabLock: @unchecked Sendable {
    private let fd: Int32
    public let path: String

    public init(
        lab: String, directory: String = StatePaths.fromEnvironment().runtime, timeout: Double = 60,
        progress: ProgressHandler? = nil, holder: String = LabLock.thisCommand
    ) throws(VBoxLabError) {
        try PrivateDirectory.ensure(directory)
        path = Self.path(lab: lab, directory: directory)
        let deadline = Date().addingTimeInterval(timeout)
        // The holder writes its name just after it takes the lock: a waiter that finds none
        // yet gives it half a second before saying "another vboxlab command".
        let patience = Date().addingTimeInterval(min(0.5, timeout))
        var told = false
        while true {
            let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw .system(.cannotWrite(path: "the lock file \(path)", reason: String(cString: strerror(errno))))
            }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let other = Self.holder(of: fd)
                if !told && (other != nil || Date() > patience) {
                    progress?(
                        "lab \(lab) is in use by \(other ?? "another vboxlab command"); waiting up to "
                            + "\(formatSeconds(timeout)) s for it"
                    )
                    told = true
                }
                if Date() > deadline {
                    close(fd)
                    throw .lab(.busy(lab: lab, lock: path, waited: timeout, holder: other))
                }
                usleep(100_000)
            }
            if Self.sameFile(fd, path) {
                self.fd = fd
                break
            }
            // The file was removed (its lab destroyed) while this command waited on it.
            close(fd)
        }
        Self.write(holder, to: fd)
    }

    /// Who this process is, as a waiting command names it: "pid 4242: vboxlab create bridge-lab".
    public static var thisCommand: String {
        let words = CommandLine.arguments.enumerated().map { $0.offset == 0 ? "vboxlab" : $0.element }
        let line = words.joined(separator: " ")
        return "pid \(getpid()): \(line.count > 200 ? String(line.prefix(200)) + "…" : line)"
    }

    /// The holder's words, read from the lock file it wrote (bounded: it is a file anyone
    /// with the runtime directory could write).
    static func holder(of fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text.escapedForTerminal
    }

    /// The lock file of a lab in the runtime directory.
    public static func path(lab: String, directory: String) -> String { "\(directory)/\(lab).lock" }

    static func write(_ holder: String, to fd: Int32) {
        let bytes = Array((holder + "\n").utf8)
        // Best effort: the words only help a waiting command say whom it waits for.
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    static func sameFile(_ fd: Int32, _ path: String) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(fd, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
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
        if removeFileOnRelease {
            unlink(path)
        } else {
            _ = ftruncate(fd, 0)
        }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
