import Foundation
import VBoxLabHost
import VBoxLabModel

/// VBoxManage as vboxlab uses it: intentions turned into exact argument arrays (the 6.1
/// spellings, which 7.x still accepts), each run with `LC_ALL=C` (messages are parsed)
/// and a timeout. Its exit status is not trusted alone: `modifyvm --nic9` printed
/// `VBoxManage: error: Invalid NIC number 9` and exited 0, so any `error:` line fails a call.
public struct VBoxManage: Sendable {
    public let program: String
    public let reader: CommandRunner
    public let writer: CommandRunner
    /// Seconds for one call; a clone or an import of a large disk takes longer.
    public var timeout = 120.0

    public init(program: String, reader: CommandRunner, writer: CommandRunner) {
        self.program = program
        self.reader = reader
        self.writer = writer
    }

    /// `VBOXLAB_VBOXMANAGE`, else `VBoxManage` on PATH.
    public static func programFromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        env["VBOXLAB_VBOXMANAGE"].flatMap { $0.isEmpty ? nil : $0 } ?? "VBoxManage"
    }

    public func command(_ args: [String], timeout: Double? = nil) -> Command {
        Command(program, args, environment: ["LC_ALL": "C"], timeout: timeout ?? self.timeout)
    }

    /// A reading call: its stdout, or the failure with the command line and VirtualBox's words.
    /// One that has not exited after `readLooksAgainAfter` s is made again beside it and the first
    /// answer is taken: a read changes nothing, and VBoxManage can sit 10 s in its own exit.
    public func read(_ args: [String]) throws(VBoxLabError) -> String {
        let settled = SettledCheck(after: readLooksAgainAfter, every: readLooksAgainAfter) { [self] in
            lookingRead(args)
        }
        return try checked(reader, command(args), settled: args == ["--version"] ? nil : settled).stdout
    }

    /// A writing call (a recorder under `--dry-run`). `done`, when given, is a read that tells
    /// whether the call's work is in place: asked once the call has run `writeLooksAfter` s
    /// without exiting, it lets the command go on without waiting out VBoxManage's exit.
    @discardableResult
    public func write(
        _ args: [String], timeout: Double? = nil, doneWhen done: (@Sendable () -> Bool)? = nil
    ) throws(VBoxLabError) -> CommandResult {
        let progress = self.progress
        let settled = done.map { done in
            SettledCheck(after: writeLooksAfter, every: writeLooksEvery) {
                guard done() else { return nil }
                progress(
                    "VBoxManage \(args.first ?? "") has not exited yet, but its work is in place; going on "
                        + "without waiting for it (VirtualBox's client can take 10 s to exit)")
                return CommandResult(status: 0)
            }
        }
        return try checked(writer, command(args, timeout: timeout), settled: settled)
    }

    /// One plain read, no retries and no look of its own: what a look at a call makes. A read
    /// that fails or says an error only means "not known yet".
    func lookingRead(_ args: [String]) -> CommandResult? {
        guard let r = try? reader.run(command(args)), r.succeeded, !Self.saysError(r) else { return nil }
        return r
    }

    /// Seconds before a call that has not exited is looked past: far beyond what a call takes
    /// here (40-100 ms, a `list -l vms` of 50 VMs 1.5-2 s), far short of the 10 s exit stall.
    public var writeLooksAfter = 2.0
    /// Between looks at one write: each is a VBoxManage client, and on a loaded host (guests
    /// booting under emulation beside it) they compete for the same cores.
    public var writeLooksEvery = 2.0
    public var readLooksAgainAfter = 4.0

    /// What VBoxManage says when it could not reach VBoxSVC at all (the service was starting,
    /// restarting or shutting down): the call did nothing, so it is safe to make again.
    static let transientAnswers = [
        "Failed to create the VirtualBox object", "The object is not ready",
        "the VirtualBox COM server is not running or failed to start",
    ]
    /// Waits between tries of a call that met a transient answer: about 7.5 s in all, short at
    /// first, since a VBoxSVC that shut down when idle is back a fraction of a second later.
    public var retryDelays: [Double] = [0.5, 0.5, 1, 1, 2, 2.5]
    /// Where a retry is said: a busy VBoxSVC should be visible, not a silent pause.
    public var progress: ProgressHandler = { _ in }

    func checked(_ runner: CommandRunner, _ c: Command, settled: SettledCheck? = nil) throws(VBoxLabError)
        -> CommandResult
    {
        func once() throws(VBoxLabError) -> CommandResult {
            guard let settled else { return try runner.run(c) }
            return try runner.run(c, settled: settled)
        }
        var r = try once()
        for delay in retryDelays where Self.isTransient(r) {
            let answer = Self.transientAnswers.first { r.stderr.contains($0) } ?? "busy"
            progress(
                "VirtualBox answered \"\(answer)\" to \(c.arguments.first ?? "a call"); trying again in "
                    + "\(formatSeconds(delay)) s"
            )
            Thread.sleep(forTimeInterval: delay)
            r = try once()
        }
        guard r.succeeded && !Self.saysError(r) else {
            throw .commandFailed(
                command: Command(c.program, c.arguments).description, status: r.status == 0 ? 1 : r.status,
                stderr: r.stderr)
        }
        return r
    }

    static func saysError(_ r: CommandResult) -> Bool {
        r.stderr.split(separator: "\n").contains { $0.contains("error:") }
    }

    static func isTransient(_ r: CommandResult) -> Bool {
        !r.succeeded && transientAnswers.contains { r.stderr.contains($0) }
    }

    // MARK: the calls, as argv

    public static func cloneLinked(base: String, snapshot: String, name: String, uuid: String) -> [String] {
        // No --groups here: on 7.2.22 it set no group, and with a later modifyvm --groups it doubled the folder.
        ["clonevm", base, "--snapshot", snapshot, "--options", "link", "--name", name, "--uuid", uuid, "--register"]
    }

    public static func cloneFull(base: String, snapshot: String?, name: String, uuid: String) -> [String] {
        ["clonevm", base] + (snapshot.map { ["--snapshot", $0] } ?? []) + [
            "--name", name, "--uuid", uuid, "--register",
        ]
    }

    public static func importAppliance(file: String, name: String, group: String) -> [String] {
        ["import", file, "--vsys", "0", "--vmname", name, "--group", group]
    }

    public static func start(_ vm: String) -> [String] { ["startvm", vm, "--type", "headless"] }
    public static func powerOff(_ vm: String) -> [String] { ["controlvm", vm, "poweroff"] }
    public static func acpiPowerButton(_ vm: String) -> [String] { ["controlvm", vm, "acpipowerbutton"] }
    public static func unregisterDelete(_ vm: String) -> [String] { ["unregistervm", vm, "--delete"] }
    public static func setPromisc(_ vm: String, slot: Int, _ p: PromiscPolicy) -> [String] {
        ["controlvm", vm, "nicpromisc\(slot)", p.rawValue]
    }

    /// One `modifyvm` carrying every change of a VM: one write lock, one settings save.
    public static func modify(_ vm: String, _ settings: [VMSetting]) -> [String] {
        ["modifyvm", vm] + settings.flatMap(\.arguments)
    }
}

/// One setting of a `modifyvm` call.
public enum VMSetting: Sendable, Equatable {
    /// A new name (an import is made under a unique one, then named as the lab says).
    case name(String)
    case group(String)
    case memory(Int)
    case cpus(Int)
    case nat(slot: Int)
    case bridged(slot: Int, adapter: String)
    case hostonly(slot: Int, adapter: String)
    case natRuleDelete(slot: Int, name: String)
    case natRule(slot: Int, name: String, hostIP: String, hostPort: Int, guestPort: Int)
    case intnet(slot: Int, network: String, mac: MACAddress, promisc: PromiscPolicy)
    case network(slot: Int, String)
    case mac(slot: Int, MACAddress)
    case promisc(slot: Int, PromiscPolicy)
    case cable(slot: Int, Bool)
    case disabled(slot: Int)

    public var arguments: [String] {
        switch self {
        case .name(let n): return ["--name", n]
        case .group(let g): return ["--groups", g]
        case .memory(let m): return ["--memory", String(m)]
        case .cpus(let c): return ["--cpus", String(c)]
        case .nat(let n): return ["--nic\(n)", "nat"]
        case .bridged(let n, let a): return ["--nic\(n)", "bridged", "--bridgeadapter\(n)", a]
        case .hostonly(let n, let a): return ["--nic\(n)", "hostonly", "--hostonlyadapter\(n)", a]
        case .natRuleDelete(let n, let name): return ["--natpf\(n)", "delete", name]
        case .natRule(let n, let name, let ip, let hostPort, let guestPort):
            return ["--natpf\(n)", "\(name),tcp,\(ip),\(hostPort),,\(guestPort)"]
        case .intnet(let n, let network, let mac, let p):
            return [
                "--nic\(n)", "intnet", "--intnet\(n)", network, "--macaddress\(n)", mac.bareUpperHex,
                "--nicpromisc\(n)", p.rawValue, "--cableconnected\(n)", "on",
            ]
        case .network(let n, let network): return ["--nic\(n)", "intnet", "--intnet\(n)", network]
        case .mac(let n, let mac): return ["--macaddress\(n)", mac.bareUpperHex]
        case .promisc(let n, let p): return ["--nicpromisc\(n)", p.rawValue]
        case .cable(let n, let on): return ["--cableconnected\(n)", on ? "on" : "off"]
        case .disabled(let n): return ["--nic\(n)", "none"]
        }
    }
}
