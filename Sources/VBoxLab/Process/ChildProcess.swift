import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A spawned program with pipes on its standard input, output and error. The child gets
/// default signal dispositions and an empty signal mask, whatever this process ignores.
final class ChildProcess {
    let pid: pid_t
    private var stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32

    /// Held from creating the pipes until the spawn, so no other thread's child can
    /// inherit an end before it is marked close-on-exec.
    private static let spawnLock = NSLock()

    init?(path: String, arguments: [String], environment: [String: String] = [:]) {
        ChildProcess.spawnLock.lock()
        defer { ChildProcess.spawnLock.unlock() }
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0 else { return nil }
        guard pipe(&outPipe) == 0 else { close(inPipe[0]); close(inPipe[1]); return nil }
        guard pipe(&errPipe) == 0 else { [inPipe, outPipe].flatMap { $0 }.forEach { close($0) }; return nil }
        // Close-on-exec, so that children spawned at the same time by other threads do not
        // inherit these ends (an inherited write end would keep a reader waiting for EOF).
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        ChildProcess.defaultSignals(&attributes)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        var child: pid_t = 0
        let envp = ChildProcess.environment(with: environment)
        defer { envp.forEach { free($0) } }
        let rc: Int32
        if envp.isEmpty { rc = posix_spawn(&child, path, &actions, &attributes, argv, environ) }
        else { var e = envp + [nil]; rc = posix_spawn(&child, path, &actions, &attributes, argv, &e) }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            errno = rc
            return nil
        }
        pid = child
        stdinFD = inPipe[1]; stdoutFD = outPipe[0]; stderrFD = errPipe[0]
        ChildProcess.running.insert(child)
    }

    /// This process's environment with `extra` on top, as C strings; empty when there is nothing to add.
    static func environment(with extra: [String: String]) -> [UnsafeMutablePointer<CChar>?] {
        guard !extra.isEmpty else { return [] }
        var merged = ProcessInfo.processInfo.environment
        for (k, v) in extra { merged[k] = v }
        return merged.map { strdup("\($0.key)=\($0.value)") }
    }

    /// Children not yet reaped (guarded by `spawnLock`), so an interrupt can stop them
    /// before undoing their work.
    nonisolated(unsafe) private static var running = Set<pid_t>()

    /// Sends SIGTERM to every running child and waits (up to `timeout`) for their
    /// owners to reap them; SIGKILL for any still there.
    static func stopAll(timeout: Double) {
        func snapshot() -> Set<pid_t> { spawnLock.lock(); defer { spawnLock.unlock() }; return running }
        for pid in snapshot() { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(timeout)
        while !snapshot().isEmpty && Date() < deadline { usleep(5_000) }
        for pid in snapshot() { kill(pid, SIGKILL) }
    }

    /// The child starts with default dispositions and an empty mask, whatever this process ignores.
    static func defaultSignals(_ attributes: inout posix_spawnattr_t) {
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all); sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    }

    /// Runs a program on this process's own standard input, output and error (an
    /// interactive shell) with default signal dispositions, and waits for it.
    static func runAttached(path: String, arguments: [String]) -> Int32? {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        ChildProcess.defaultSignals(&attributes)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, path, nil, &attributes, argv, environ) == 0 else { return nil }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Writes `input` and reads both outputs to their end, with `poll` so that no pipe can
    /// fill up and stall the child.
    func communicate(input: [UInt8], timeout: Double? = nil) -> (stdout: [UInt8], stderr: [UInt8], timedOut: Bool) {
        var out: [UInt8] = [], err: [UInt8] = []
        var written = 0
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var timedOut = false, killedAt: Date?
        if input.isEmpty { close(stdinFD); stdinFD = -1 } else { _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while stdoutFD >= 0 || stderrFD >= 0 {
            var fds: [pollfd] = []
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
            if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            var wait: Int32 = -1
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 {
                    // Past the deadline: ask the child to stop, then make it; its pipes then close.
                    if !timedOut { timedOut = true; killedAt = Date(); kill(pid, SIGTERM) }
                    else if let k = killedAt, Date().timeIntervalSince(k) > 2 { kill(pid, SIGKILL) }
                    wait = 100
                } else { wait = Int32(min(left * 1000 + 1, 1000)) }
            }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 { if errno == EINTR { continue }; break }
            if ready == 0 { continue }
            for p in fds where p.revents != 0 {
                if p.fd == stdinFD {
                    let n = input[written...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
                    if n > 0 { written += n }
                    if n < 0 && errno != EAGAIN || written == input.count { close(stdinFD); stdinFD = -1 }
                } else {
                    let n = read(p.fd, &buffer, buffer.count)
                    if n > 0 {
                        if p.fd == stdoutFD { out += buffer[0..<n] } else { err += buffer[0..<n] }
                    } else if n == 0 || errno != EINTR && errno != EAGAIN {
                        close(p.fd)
                        if p.fd == stdoutFD { stdoutFD = -1 } else { stderrFD = -1 }
                    }
                }
            }
        }
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
        return (out, err, timedOut)
    }

    /// The exit status, or 128 + the signal that ended the child, as a shell reports it.
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        ChildProcess.spawnLock.lock(); ChildProcess.running.remove(pid); ChildProcess.spawnLock.unlock()
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
