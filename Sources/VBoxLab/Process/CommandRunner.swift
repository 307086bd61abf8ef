import Foundation

/// The one way vboxlab runs programs. Providers take a runner; tests pass a recorder.
public protocol CommandRunner: Sendable {
    /// Runs the command to completion. A non-zero exit is a normal result; a program that
    /// cannot be started throws `.missing`.
    func run(_ command: Command) throws(VBoxLabError) -> CommandResult
}

extension CommandRunner {
    /// Runs and turns a non-zero exit into `.commandFailed` with the command line and stderr.
    @discardableResult
    public func check(_ command: Command) throws(VBoxLabError) -> CommandResult {
        let result = try run(command)
        guard result.succeeded else {
            throw .commandFailed(command: Command(command.program, command.arguments).description, status: result.status, stderr: result.stderr)
        }
        return result
    }
}

/// Runs programs with Foundation's `Process`, found on `PATH` (plus the sbin directories,
/// where Debian keeps `ip` and `bridge`).
public struct ProcessRunner: CommandRunner {
    public init() {}

    public func run(_ command: Command) throws(VBoxLabError) -> CommandResult {
        guard let path = ProcessRunner.resolve(command.program) else {
            throw .missing(what: "'\(command.program)'", fix: ProcessRunner.installHint(command.program))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = command.arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = command.input.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        do { try process.run() } catch {
            throw .missing(what: "'\(command.program)'", fix: "it could not be started: \(error.localizedDescription)")
        }
        // Drain stderr on another thread so neither pipe can fill up and stall the child.
        let errData = ErrorCollector()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        if let input, let text = command.input {
            let handle = input.fileHandleForWriting
            DispatchQueue.global().async {
                try? handle.write(contentsOf: Data(text.utf8))
                try? handle.close()
            }
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(status: status, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData.get(), as: UTF8.self))
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
        case "VBoxManage": return "install VirtualBox, or set VBOXLAB_VBOXMANAGE to its VBoxManage"
        default: return "install it or put it on PATH"
        }
    }
}

/// A box for the stderr bytes read on another thread.
private final class ErrorCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// Records every command instead of running it, answering with canned results:
/// what `--dry-run` uses for commands that change things, and tests use to assert argv.
public final class RecordingRunner: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Command] = []
    private let answer: @Sendable (Command) -> CommandResult

    public init(answer: @escaping @Sendable (Command) -> CommandResult = { _ in CommandResult(status: 0) }) { self.answer = answer }

    public func run(_ command: Command) throws(VBoxLabError) -> CommandResult {
        lock.lock(); recorded.append(command); lock.unlock()
        return answer(command)
    }

    public var commands: [Command] { lock.lock(); defer { lock.unlock() }; return recorded }
}
