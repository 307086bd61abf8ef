import Foundation
import VBoxLabModel

/// A file replaced whole or not at all, and on disk when `write` returns: the data goes to
/// a temporary file beside the target, which is flushed, renamed over the target, and the
/// directory flushed so the rename itself survives a crash.
public enum DurableFile {
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws(VBoxLabError) {
        let dir = (path as NSString).deletingLastPathComponent
        // Unique per write, not per process: two threads saving at once never share a temp file.
        let temp = "\(dir)/.\((path as NSString).lastPathComponent).\(getpid()).\(UUID().uuidString.prefix(8)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path) }
        let wrote = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        let flushed = wrote && fsync(fd) == 0
        let error = failure(path)
        close(fd)
        guard flushed, rename(temp, path) == 0 else {
            unlink(temp)
            throw error
        }
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
        sweepTemporaries(of: path)
    }

    /// Temporary files of this target left by writers that were killed between writing and
    /// renaming: each names its writer's pid, and goes once no process has that pid.
    static func sweepTemporaries(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let prefix = ".\((path as NSString).lastPathComponent)."
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let fields = name.dropFirst(prefix.count).split(separator: ".")
            guard fields.count == 3, let pid = pid_t(fields[0]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink("\(dir)/\(name)") }
        }
    }

    static func failure(_ path: String) -> VBoxLabError {
        .system(.cannotWrite(path: path, reason: String(cString: strerror(errno))))
    }
}
