import Foundation
import VBoxLabHost
import VBoxLabModel

/// What every provider is given: how to read, how to change (a recorder under
/// `--dry-run`), where progress goes, and the other labs' records for ownership checks.
public struct ProviderContext: Sendable {
    public var reader: CommandRunner
    public var mutator: CommandRunner
    public var progress: ProgressHandler
    public var store: LabStore
    /// `--dry-run`: `mutator` records instead of running, and nothing is written down.
    public var dryRun: Bool
    /// The runtime directory (locks, ssh control sockets).
    public var runtime: String
    /// A step's undo and a scratch path's removal, run by the command's undo log, which the
    /// lifecycle owns: a provider says what to undo, and never touches the log itself.
    public var safeguards: Safeguards

    public init(
        reader: CommandRunner, dryRun: RecordingRunner? = nil, progress: @escaping ProgressHandler = { _ in },
        store: LabStore,
        runtime: String = StatePaths.fromEnvironment().runtime, safeguards: Safeguards = .standalone
    ) {
        self.safeguards = safeguards
        self.reader = reader
        self.mutator = dryRun ?? reader
        self.dryRun = dryRun != nil
        self.progress = progress
        self.store = store
        self.runtime = runtime
    }

    /// The lab's known_hosts, beside the records: trust on first use, per lab.
    public func knownHosts(_ lab: String) -> String { store.knownHosts(lab) }

    /// Where ssh keeps a lab's shared connections. A socket path must fit in 108 bytes,
    /// so a runtime directory too deep for one falls back to a short one under /tmp.
    public func sshControlDirectory(_ lab: String) -> String { Self.sshControlDirectory(lab, runtime: runtime) }

    public static func sshControlDirectory(_ lab: String, runtime: String) -> String {
        let preferred = "\(runtime)/ssh-\(lab)"
        if preferred.utf8.count + 42 <= 104 { return preferred }
        return "/tmp/vboxlab-ssh-\(Privileges.realUID)-\(String(fnv1a(preferred) & 0xFFFF_FFFF, radix: 16))"
    }

    /// An ssh transport to a VM, from its login and a default host and port.
    public func ssh(lab: String, vm: String, login: SSHLogin?, host: String, port: Int?) -> SSHTransport {
        let target = SSHTarget(
            lab: lab, vm: vm, user: login?.user ?? "root", host: login?.host ?? host, port: login?.port ?? port,
            key: login?.key, proxyCommand: login?.proxyCommand)
        // VBOXLAB_SSH_SHARE=0 turns connection sharing off (to measure what it saves).
        let share = ProcessInfo.processInfo.environment["VBOXLAB_SSH_SHARE"] != "0"
        return SSHTransport(
            target: target, runner: reader, knownHosts: knownHosts(lab),
            controlDirectory: share ? sshControlDirectory(lab) : nil)
    }
}
