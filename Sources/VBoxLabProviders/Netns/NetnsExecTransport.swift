import Foundation
import VBoxLabHost
import VBoxLabModel

/// A VM that is a network namespace on this host, entered with its own host name (`NetnsHostnames`).
public struct NetnsExecTransport: GuestTransport {
    public let vm: String
    public let namespace: String
    public let runner: CommandRunner

    public init(vm: String, namespace: String, runner: CommandRunner) {
        self.vm = vm
        self.namespace = namespace
        self.runner = runner
    }

    public var summary: String { "ip netns exec \(namespace)" }

    public func command(_ argv: [String], input: String?) -> Command {
        Command(
            "ip", ["netns", "exec", namespace] + NetnsHostnames.entering(namespace, argv), input: input,
            outputLimit: Command.guestOutputLimit)
    }

    /// A real run enters the namespaces from this process (`NamespaceCommand`); a recorded
    /// one (`--dry-run`, tests) and a namespace with `/etc/netns` files to bind keep the
    /// `ip netns exec` of `command`.
    public func run(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult {
        if runner is ProcessRunner, let program = argv.first,
            !FileManager.default.fileExists(atPath: "/etc/netns/\(namespace)"),
            let done = NamespaceCommand.run(
                Command(program, Array(argv.dropFirst()), input: input, outputLimit: Command.guestOutputLimit),
                runner: runner, network: networkNamespace, uts: NetnsHostnames.heldFile(namespace))
        {
            return try done.get().fromGuest
        }
        return try runner.run(command(argv, input: input)).fromGuest
    }

    /// The namespace shares this host's file system, so its programs are the host's.
    public func hasProgram(_ program: String) -> Bool { ProcessRunner.resolve(program) != nil }

    /// The user's shell in the namespace; with a line, that shell reads it (`-c`), as a
    /// login shell reads the line ssh brings.
    public func interactive(line: String?) throws(VBoxLabError) -> Command {
        let shell = ProcessInfo.processInfo.environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        return Command(
            "ip",
            ["netns", "exec", namespace]
                + NetnsHostnames.entering(namespace, [shell] + (line.map { ["-c", $0] } ?? [])))
    }
}
