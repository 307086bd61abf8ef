/// How vboxlab reaches inside one VM: run a guest script, or a command given as an
/// argument array. `ip netns exec` today; ssh plugs in here.
public protocol GuestTransport: Sendable {
    /// The VM this transport reaches, for messages.
    var vm: String { get }
    /// How the transport reaches the VM, in words (`ip netns exec vbl-lab-a`).
    var summary: String { get }
    /// The exact command that runs `argv` in the VM (what `--dry-run` prints).
    func command(_ argv: [String], input: String?) -> Command
    /// Runs `argv` in the VM, with `input` on its standard input.
    func run(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult
    /// Whether `program` can be run in the VM.
    func hasProgram(_ program: String) -> Bool
    /// The command that opens an interactive shell, or runs `argv`, in the VM.
    func interactive(_ argv: [String]) throws(VBoxLabError) -> Command
    /// Ends what the transport keeps open between commands (ssh's shared connection).
    func close()
    /// Waits up to `wait` seconds for the VM to answer (a booting VM's sshd).
    func waitUntilReachable(wait: Double, progress: ProgressHandler) throws(VBoxLabError)
}

extension GuestTransport {
    public func close() {}
    /// A way in that is always there (a namespace) has nothing to wait for.
    public func waitUntilReachable(wait: Double, progress: ProgressHandler) throws(VBoxLabError) {}
}

/// Closes every transport at the end of a command: one connection per VM per command.
public func closeAll(_ transports: [String: GuestTransport]) {
    _ = parallelMap(Array(transports.values), width: 16) { $0.close() }
}

extension GuestTransport {
    /// Runs a guest script with `sh -s`: the script travels on standard input, so no shell
    /// string is ever built from spec values on either side.
    public func run(_ script: GuestScript) throws(VBoxLabError) -> CommandResult {
        try run(["sh", "-s"], input: script.text)
    }
}

/// A VM that is a network namespace on this host.
public struct NetnsExecTransport: GuestTransport {
    public let vm: String
    public let namespace: String
    public let runner: CommandRunner

    public init(vm: String, namespace: String, runner: CommandRunner) { self.vm = vm; self.namespace = namespace; self.runner = runner }

    public var summary: String { "ip netns exec \(namespace)" }

    public func command(_ argv: [String], input: String?) -> Command { Command("ip", ["netns", "exec", namespace] + argv, input: input) }

    public func run(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult { try runner.run(command(argv, input: input)) }

    /// The namespace shares this host's file system, so its programs are the host's.
    public func hasProgram(_ program: String) -> Bool { ProcessRunner.resolve(program) != nil }

    public func interactive(_ argv: [String]) throws(VBoxLabError) -> Command {
        let shell = ProcessInfo.processInfo.environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        return Command("ip", ["netns", "exec", namespace] + (argv.isEmpty ? [shell] : argv))
    }
}

import Foundation
