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
    public func read(_ args: [String]) throws(VBoxLabError) -> String {
        try checked(reader, command(args)).stdout
    }

    /// A writing call (a recorder under `--dry-run`).
    @discardableResult
    public func write(_ args: [String], timeout: Double? = nil) throws(VBoxLabError) -> CommandResult {
        try checked(writer, command(args, timeout: timeout))
    }

    /// What VBoxManage says when it could not reach VBoxSVC at all (the service was starting,
    /// restarting or shutting down): the call did nothing, so it is safe to make again.
    static let transientAnswers = [
        "Failed to create the VirtualBox object", "The object is not ready",
        "the VirtualBox COM server is not running or failed to start",
    ]
    /// Waits between tries of a call that met a transient answer: about 7.5 s in all.
    public var retryDelays: [Double] = [0.5, 1, 2, 4]
    /// Where a retry is said: a busy VBoxSVC should be visible, not a silent pause.
    public var progress: ProgressHandler = { _ in }

    func checked(_ runner: CommandRunner, _ c: Command) throws(VBoxLabError) -> CommandResult {
        var r = try runner.run(c)
        for delay in retryDelays where Self.isTransient(r) {
            let answer = Self.transientAnswers.first { r.stderr.contains($0) } ?? "busy"
            progress(
                "VirtualBox answered \"\(answer)\" to \(c.arguments.first ?? "a call"); trying again in "
                    + "\(formatSeconds(delay)) s"
            )
            Thread.sleep(forTimeInterval: delay)
            r = try runner.run(c)
        }
        let said = r.stderr.split(separator: "\n").contains { $0.contains("error:") }
        guard r.succeeded && !said else {
            throw .commandFailed(
                command: Command(c.program, c.arguments).description, status: r.status == 0 ? 1 : r.status,
                stderr: r.stderr)
        }
        return r
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
