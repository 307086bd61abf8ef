import VBoxLabHost
import VBoxLabModel

/// How vboxlab reaches inside one VM: run a guest script, or a command given as an
/// argument array. `ip netns exec` today; ssh plugs in here.
public protocol GuestTransport: Sendable {
    /// The VM this transport reaches, for messages.
    var vm: String { get }
    /// How the transport reaches the VM, in words (`ip netns exec vbl-lab-a`).
    var summary: String { get }
    /// Who logs in and with what, in words (`root with ~/.ssh/id_ed25519`); nil for a way in
    /// without a login.
    var login: String? { get }
    /// The exact command that runs `argv` in the VM (what `--dry-run` prints).
    func command(_ argv: [String], input: String?) -> Command
    /// Runs `argv` in the VM, with `input` on its standard input.
    func run(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult
    /// Whether `program` can be run in the VM.
    func hasProgram(_ program: String) -> Bool
    /// The command that opens an interactive shell in the VM, or runs `line`, a command line
    /// the user typed, read by the VM's shell as ssh hands it over (`a; b` runs both). Only
    /// the user's own words ever become such a line: never a value from a spec or a guest.
    func interactive(line: String?) throws(VBoxLabError) -> Command
    /// Ends what the transport keeps open between commands (ssh's shared connection).
    func close()
    /// Waits up to `wait` seconds for the VM to answer (a booting VM's sshd).
    func waitUntilReachable(wait: Double, progress: ProgressHandler) throws(VBoxLabError)
}

extension GuestTransport {
    public var login: String? { nil }
    public func close() {}
    /// A way in that is always there (a namespace) has nothing to wait for.
    public func waitUntilReachable(wait: Double, progress: ProgressHandler) throws(VBoxLabError) {}
}

/// Closes every transport at the end of a command: one connection per VM per command.
public func closeAll(_ transports: [String: GuestTransport]) {
    _ = parallelMap(Array(transports.values), width: Parallelism.guests) { $0.close() }
}

extension CommandResult {
    /// A guest command's result as data from the guest: its stderr (shown in messages and
    /// check's `unreachable` lines) with control characters escaped; its stdout, which
    /// vboxlab parses, is escaped where it is shown. Both are bounded by the command's
    /// `outputLimit`.
    public var fromGuest: CommandResult {
        // ssh ends its own messages with CR LF: a line ending, not a control to show.
        CommandResult(
            status: status, stdout: stdout,
            stderr: stderr.replacingOccurrences(of: "\r\n", with: "\n").escapedForTerminal)
    }
}
