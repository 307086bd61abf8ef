import Foundation
import VBoxLabModel

/// A spawned program with pipes on its standard input, output and error. The child gets
/// default signal dispositions and an empty signal mask, whatever this process ignores,
/// and leads a process group of its own, so that stopping it stops what it started too.
/// Out of the terminal's foreground group, a child no longer gets Ctrl-C from the
/// terminal itself: vboxlab's handler stops it (`UndoLog.interrupt`) before undoing its work.
final class ChildProcess {
    let pid: pid_t
    private var stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32

    /// Held from creating the pipes until the spawn, so no other thread's child can
    /// inherit an end before it is marked close-on-exec.
    private static let spawnLock = NSLock()

    /// `spawned` learns the child's pid while the spawn lock is still held: an interrupt that
    /// stops the command's children cannot fall between the spawn and the child being known.
    init?(path: String, arguments: [String], environment: [String: String] = [:], spawned: (pid_t) -> Void = { _ in }) {
        ChildProcess.spawnLock.lock()
        defer { ChildProcess.spawnLock.unlock() }
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0 else { return nil }
        guard pipe(&outPipe) == 0 else {
            close(inPipe[0])
            close(inPipe[1])
            return nil
        }
        guard pipe(&errPipe) == 0 else {
            [inPipe, outPipe].flatMap { $0 }.forEach { close($0) }
            return nil
        }
        // Close-on-exec, so that children spawned at the same time by other threads do not
        // inherit these ends (an inherited write end would keep a reader waiting for EOF).
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let request = SpawnRequest()
        request.duplicate(inPipe[0], as: 0)
        request.duplicate(outPipe[1], as: 1)
        request.duplicate(errPipe[1], as: 2)
        request.closeOthers()
        request.defaultSignals()
        request.ownProcessGroup()
        let outcome = request.spawn(path: path, arguments: arguments, extra: environment)
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard case .success(let child) = outcome else {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            if case .failure(let error) = outcome { errno = error.code }
            return nil
        }
        pid = child
        stdinFD = inPipe[1]
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
        spawned(child)
    }

    /// Runs a program on this process's own standard input, output and error (an
    /// interactive shell) with default signal dispositions, and waits for it. It stays in
    /// this process's group: the terminal's foreground group, which it must read from.
    static func runAttached(path: String, arguments: [String]) -> Int32? {
        let request = SpawnRequest()
        request.closeOthers()
        request.defaultSignals()
        switch request.spawn(path: path, arguments: arguments, extra: [:]) {
        case .success(let child): return ExitStatus.wait(for: child)
        case .failure(let error):
            errno = error.code
            return nil
        }
    }

    /// Writes `input` and reads both outputs to their end, with `poll` so that no pipe can
    /// fill up and stall the child. Past `limit` bytes a stream is still read (the child
    /// must not block) but only counted.
    func communicate(input: [UInt8], timeout: Double? = nil, limit: Int? = nil) -> ChildOutput {
        var out = BoundedBytes(limit: limit)
        var err = BoundedBytes(limit: limit)
        var written = 0
        var deadline = ChildTimeout(seconds: timeout, group: ProcessGroup(id: pid))
        if input.isEmpty {
            close(stdinFD)
            stdinFD = -1
        } else {
            _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while stdoutFD >= 0 || stderrFD >= 0, let wait = deadline.nextWait() {
            var fds: [pollfd] = []
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
            if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { continue }
            for p in fds where p.revents != 0 {
                if p.fd == stdinFD {
                    let n = input[written...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
                    if n > 0 { written += n }
                    if n < 0 && errno != EAGAIN || written == input.count {
                        close(stdinFD)
                        stdinFD = -1
                    }
                } else {
                    let n = read(p.fd, &buffer, buffer.count)
                    if n > 0 {
                        if p.fd == stdoutFD { out.append(buffer[0..<n]) } else { err.append(buffer[0..<n]) }
                    } else if n == 0 || errno != EINTR && errno != EAGAIN {
                        close(p.fd)
                        if p.fd == stdoutFD { stdoutFD = -1 } else { stderrFD = -1 }
                    }
                }
            }
        }
        for fd in [stdinFD, stdoutFD, stderrFD] where fd >= 0 { close(fd) }
        stdinFD = -1
        stdoutFD = -1
        stderrFD = -1
        return ChildOutput(stdout: out, stderr: err, timedOut: deadline.expired)
    }

    /// The exit status, or 128 + the signal that ended the child, as a shell reports it.
    func wait() -> Int32 { ExitStatus.wait(for: pid) }
}

/// What a child wrote, each stream kept up to its limit.
struct ChildOutput {
    var stdout: BoundedBytes
    var stderr: BoundedBytes
    var timedOut: Bool
}

/// Bytes kept up to a limit, and a count of those dropped after it.
struct BoundedBytes {
    let limit: Int?
    private(set) var bytes: [UInt8] = []
    private(set) var dropped = 0

    init(limit: Int?) { self.limit = limit }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        let room = limit.map { max(0, $0 - bytes.count) } ?? chunk.count
        bytes += chunk.prefix(room)
        dropped += chunk.count - min(room, chunk.count)
    }

    /// The text kept, with a last line saying how much was not, where any was dropped.
    var text: String {
        let kept = String(decoding: bytes, as: UTF8.self)
        guard dropped > 0 else { return kept }
        return kept + (kept.hasSuffix("\n") ? "" : "\n") + "[vboxlab: \(dropped) more bytes not kept]\n"
    }
}
