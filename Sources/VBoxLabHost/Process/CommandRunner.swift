import Foundation
import VBoxLabModel

/// The one way vboxlab runs programs. Providers take a runner; tests pass a recorder.
public protocol CommandRunner: Sendable {
    /// Runs the command to completion. A non-zero exit is a normal result; a program that
    /// cannot be started throws `.missing`.
    func run(_ command: Command) throws(VBoxLabError) -> CommandResult
    /// Runs the command, or answers what `settled` says once its work is seen done
    /// while it has not exited (see `SettledCheck`).
    func run(_ command: Command, settled: SettledCheck) throws(VBoxLabError) -> CommandResult
}

extension CommandRunner {
    /// Runs and turns a non-zero exit into `.commandFailed` with the command line and stderr.
    @discardableResult
    public func check(_ command: Command) throws(VBoxLabError) -> CommandResult {
        let result = try run(command)
        guard result.succeeded else {
            throw .commandFailed(
                command: Command(command.program, command.arguments).description, status: result.status,
                stderr: result.stderr)
        }
        return result
    }
}

/// Runs programs with `posix_spawn` and `waitpid`, found on `PATH` (plus the sbin
/// directories, where Debian keeps `ip` and `bridge`). Not Foundation's `Process`: its
/// `waitUntilExit` polls a run loop every 50 ms, which cost a lab of 200 VMs seconds.
public struct ProcessRunner: CommandRunner {
    /// The command's undo log: once a signal has asked it to stop, no program is started but
    /// its undo's. Nil for a runner outside a command (tests, helpers).
    public let undo: UndoLog?

    public init(undo: UndoLog? = nil) {
        self.undo = undo
        _ = ProcessRunner.ignoreBrokenPipes
    }

    /// A child that exits before reading all its input (an `ip -batch` that fails on its
    /// first line) would kill this process with SIGPIPE on the next write. Ignored, the
    /// write fails with EPIPE instead, and the child's exit status tells what went wrong.
    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE, SIG_IGN)
        return ()
    }()

    public func run(_ command: Command) throws(VBoxLabError) -> CommandResult {
        if undo?.refusesNewWork == true { throw .system(.interrupted) }
        guard let path = ProcessRunner.resolve(command.program) else {
            throw .missing(what: "'\(command.program)'", fix: ProcessRunner.installHint(command.program))
        }
        // The command's children are its undo log's, so an interrupt stops them before undoing.
        guard
            let child = ChildProcess(
                path: path, arguments: command.arguments, environment: command.environment,
                spawned: { undo?.started($0) })
        else {
            throw .prerequisite(.cannotStart(program: command.program, reason: String(cString: strerror(errno))))
        }
        let output = child.communicate(
            input: command.input.map { Array($0.utf8) } ?? [], timeout: command.timeout, limit: command.outputLimit)
        let status = child.wait()
        undo?.reaped(child.pid)
        var stderr = output.stderr.text
        let timedOut = output.timedOut
        if timedOut {
            stderr +=
                (stderr.isEmpty || stderr.hasSuffix("\n") ? "" : "\n")
                + "vboxlab: stopped after \(String(format: "%g", command.timeout ?? 0)) s (timeout)\n"
        }
        return CommandResult(status: timedOut ? 124 : status, stdout: output.stdout.text, stderr: stderr)
    }

    /// Runs a command on this terminal (`vboxlab ssh`): the user talks to it directly.
    public func runAttached(_ command: Command) throws(VBoxLabError) -> Int32 {
        guard let path = ProcessRunner.resolve(command.program) else {
            throw .missing(what: "'\(command.program)'", fix: ProcessRunner.installHint(command.program))
        }
        guard let status = ChildProcess.runAttached(path: path, arguments: command.arguments) else {
            throw .prerequisite(.cannotStart(program: command.program, reason: String(cString: strerror(errno))))
        }
        return status
    }

    public static func resolve(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/sbin"]
        return dirs.map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func installHint(_ program: String) -> String {
        switch program {
        case "ip", "bridge": return "install iproute2 (apt-get install -y iproute2)"
        case "ping": return "install iputils-ping (apt-get install -y iputils-ping)"
        case "fping": return "install fping (apt-get install -y fping)"
        case "tcpdump": return "install tcpdump (apt-get install -y tcpdump)"
        case "ssh": return "install openssh-client (apt-get install -y openssh-client)"
        default: return "install it or put it on PATH"
        }
    }
}

/// Records every command instead of running it, answering with canned results:
/// what `--dry-run` uses for commands that change things, and tests use to assert argv.
public final class RecordingRunner: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Command] = []
    private let answer: @Sendable (Command) -> CommandResult

    public init(answer: @escaping @Sendable (Command) -> CommandResult = { _ in CommandResult(status: 0) }) {
        self.answer = answer
    }

    public func run(_ command: Command) throws(VBoxLabError) -> CommandResult {
        lock.lock()
        recorded.append(command)
        lock.unlock()
        return answer(command)
    }

    public var commands: [Command] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}
