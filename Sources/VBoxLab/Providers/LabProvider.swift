import Foundation

/// The seam between what vboxlab means (plans, checks, records) and a system that
/// carries a lab. `Check/`, the lab lifecycle and the CLI see a provider only through
/// this protocol and `GuestTransport`, so a provider is one folder and one line in
/// `ProviderRegistry`. Narrow on purpose: only what those callers need of a provider.
public protocol LabProvider: Sendable {
    /// The name users type (`--provider NAME`) and records keep.
    var name: String { get }

    /// What the provider needs on this host (root, programs); `.missing` (exit 4) otherwise.
    func checkPrerequisites(pinging: Bool) throws(VBoxLabError)

    /// Builds the lab, or brings an existing one to the plan: adds what is missing,
    /// changes what differs, removes what the plan no longer has. `record` is what
    /// earlier runs made; `persist` writes it down before anything is made and after.
    func apply(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, mode: ApplyMode,
               persist: @Sendable (LabRecord) throws(VBoxLabError) -> Void) throws(VBoxLabError) -> ApplyOutcome

    /// The lab as the system has it, for `status` and the diagnosis of `check`.
    func observe(lab: String, vms: [String], record: LabRecord?) throws(VBoxLabError) -> LabObservation

    /// Removes what the record says the lab owns, after checking each object is still the one it made.
    func destroy(_ record: LabRecord) throws(VBoxLabError) -> [String]

    /// A cheap look for `list`: how many VMs run, and whether the system still matches the record.
    func survey(_ record: LabRecord) -> LabSurvey

    /// How to run a script or a command inside each VM of the spec: through the provider's
    /// own way in (`ip netns exec`), or ssh where the spec's `ssh` block (or VirtualBox) says.
    func transports(spec: LabSpec, record: LabRecord?) throws(VBoxLabError) -> [String: GuestTransport]

    /// A capture on the lab's switch for `check --capture`, where the provider can make one.
    func switchCapture(_ plan: RegistrationPlan) -> SwitchCapture?
}

public enum ApplyMode: Sendable, Equatable {
    /// `create`: build what is missing; `setup` runs the guest scripts.
    case create(setup: Bool)
    /// `fix-macs`: the lab must exist; registrations, policies and guests to the plan.
    /// `restart`: a running VM whose MAC or network must change may be shut down for it.
    /// `setup`: the guests' side too (bridges, port MACs, addresses).
    case fix(restart: Bool, setup: Bool)

    public var isFix: Bool { if case .fix = self { return true }; return false }
    /// Whether the guests are set up as well.
    public var setsUpGuests: Bool {
        switch self { case .create(let s): return s; case .fix(_, let s): return s }
    }
}

public struct ApplyOutcome: Sendable {
    /// A new lab was built (nothing of it existed).
    public var created: Bool
    /// One line per change, for the summary.
    public var changes: [String]
    /// The record as it stands after the run.
    public var record: LabRecord
}

public struct LabSurvey: Sendable, Equatable {
    public var running: Int
    public var total: Int
    /// Whether every object of the record is on the system as recorded.
    public var matches: Bool
    /// What differs, when something does.
    public var note: String?
}

/// What `check --capture` uses: listen on the switch while one failing pair pings again.
public protocol SwitchCapture: Sendable {
    func capture(_ pair: PingPair, diagnosis: Diagnosis) throws(VBoxLabError) -> CaptureVerdict?
}

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

    public init(reader: CommandRunner, dryRun: RecordingRunner? = nil, progress: @escaping ProgressHandler = { _ in }, store: LabStore,
                runtime: String = StatePaths.fromEnvironment().runtime) {
        self.reader = reader; self.mutator = dryRun ?? reader; self.dryRun = dryRun != nil; self.progress = progress; self.store = store
        self.runtime = runtime
    }

    /// The lab's known_hosts, beside the records: trust on first use, per lab.
    public func knownHosts(_ lab: String) -> String { store.knownHosts(lab) }

    /// Where ssh keeps a lab's shared connections. A socket path must fit in 108 bytes,
    /// so a runtime directory too deep for one falls back to a short one under /tmp.
    public func sshControlDirectory(_ lab: String) -> String {
        let preferred = "\(runtime)/ssh-\(lab)"
        if preferred.utf8.count + 42 <= 104 { return preferred }
        return "/tmp/vboxlab-ssh-\(getuid())-\(String(fnv1a(preferred) & 0xFFFF_FFFF, radix: 16))"
    }

    /// Finds the spec's Vagrant boxes; `.box` files are relative to the spec's folder.
    public func boxResolver(_ spec: LabSpec) -> BoxResolver {
        let dir = (spec.file as NSString).deletingLastPathComponent
        return BoxResolver(cache: store.boxCache,
                           relativeTo: dir.isEmpty ? FileManager.default.currentDirectoryPath : dir, runner: reader, progress: progress)
    }

    /// The ssh transport to a VM: its login (the spec's, over its box's), a default host
    /// and port; a box's key is swapped for the lab's own on first contact.
    public func sshTransport(spec: LabSpec, vm: VMSpec, host: String, port: Int?) throws(VBoxLabError) -> GuestTransport {
        let resolver = boxResolver(spec)
        let (login, boxKey) = try BoxLogin.login(for: vm, spec: spec) { () throws(VBoxLabError) -> VagrantBox? in
            guard case .box(let name, let version, let url)? = vm.base ?? spec.base else { return nil }
            return try resolver.resolve(name: name, version: version, url: url)
        }
        guard boxKey != nil, var labLogin = login else { return ssh(lab: spec.name, vm: vm.name, login: login, host: host, port: port) }
        labLogin.key = try BoxLogin.labKey(spec.name, store: store, runner: reader)
        return KeyRotatingTransport(lab: ssh(lab: spec.name, vm: vm.name, login: labLogin, host: host, port: port),
                                    box: ssh(lab: spec.name, vm: vm.name, login: login, host: host, port: port), progress: progress)
    }

    /// An ssh transport to a VM, from its login and a default host and port.
    public func ssh(lab: String, vm: String, login: SSHLogin?, host: String, port: Int?) -> SSHTransport {
        let target = SSHTarget(lab: lab, vm: vm, user: login?.user ?? "root", host: login?.host ?? host, port: login?.port ?? port,
                               key: login?.key, proxyCommand: login?.proxyCommand)
        // VBOXLAB_SSH_SHARE=0 turns connection sharing off (to measure what it saves).
        let share = ProcessInfo.processInfo.environment["VBOXLAB_SSH_SHARE"] != "0"
        return SSHTransport(target: target, runner: reader, knownHosts: knownHosts(lab), controlDirectory: share ? sshControlDirectory(lab) : nil)
    }
}

/// Providers by name: adding one is a folder and a line here.
public enum ProviderRegistry {
    public typealias Maker = @Sendable (ProviderContext) throws(VBoxLabError) -> LabProvider

    public static let makers: [(name: String, make: Maker)] = [
        ("virtualbox", { (c: ProviderContext) throws(VBoxLabError) -> LabProvider in VirtualBoxProvider(context: c) }),
        ("netns", { (c: ProviderContext) throws(VBoxLabError) -> LabProvider in NetnsProvider(context: c) }),
    ]

    public static var names: [String] { makers.map(\.name) }

    public static func make(_ name: String, context: ProviderContext) throws(VBoxLabError) -> LabProvider {
        guard let maker = makers.first(where: { $0.name == name }) else {
            var message = "'\(name)' is not a provider; the providers are \(names.joined(separator: ", "))"
            if let near = suggestion(for: name, among: names) { message += "; did you mean '\(near)'?" }
            throw .usage(message: message, usage: "USAGE: vboxlab COMMAND [LAB] --provider \(names.joined(separator: "|"))")
        }
        return try maker.make(context)
    }
}
