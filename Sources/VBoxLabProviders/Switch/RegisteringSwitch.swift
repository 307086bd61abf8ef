import VBoxLabHost
import VBoxLabModel

/// A lab's registering switch, as VirtualBox's internal networks behave: one namespace
/// holding one Linux bridge per network, whose ports never learn and never flood unknown
/// unicast unless their NIC's promiscuous policy asks, each with one static fdb entry for
/// the MAC registered on its NIC. It knows nothing of what plays the VMs: a port is fed
/// by a veth whose other end the caller names, or by a link (a tap) the caller made.
public struct RegisteringSwitch: Sendable {
    public let names: SwitchNames

    public init(lab: String) { names = SwitchNames(lab: lab) }

    public var namespace: String { names.namespace }

    /// The reads that observe the switch, for a caller that runs them beside its own;
    /// their outputs, in this order, go to `state(outputs:)`.
    public var observation: [Command] {
        [
            Command("ip", ["-n", namespace, "-j", "-d", "link", "show"]),
            Command("bridge", ["-n", namespace, "-j", "fdb", "show"]),
        ]
    }

    public func state(outputs: [String]) -> SwitchState { SwitchState(links: outputs[0], fdb: outputs[1]) }

    /// The switch as the kernel has it; `exists` is whether its namespace is there.
    public func observe(_ runner: CommandRunner, exists: Bool) throws(VBoxLabError) -> SwitchState {
        guard exists else { return .absent }
        var outputs: [String] = []
        for c in observation { outputs.append(try runner.check(c).stdout) }
        return state(outputs: outputs)
    }

    /// The work from `seen` to `ports` (see `SwitchWork.diff`).
    public func work(_ ports: [SwitchPort], seen: SwitchState, renewed: Set<String>, vanishing: Set<String> = [])
        -> SwitchWork
    {
        SwitchWork.diff(ports, seen: seen, names: names, renewed: renewed, vanishing: vanishing)
    }

    /// Runs `work` alone, for a caller with nothing of its own in the root namespace.
    public func apply(_ work: SwitchWork, through runner: CommandRunner) throws(VBoxLabError) {
        let root = SwitchWork.batch(work.rootLines).map { Command("ip", ["-batch", "-"], input: $0) }
        for c in [work.deleteCommand, root, work.quietCommand, work.linkCommand, work.fdbCommand].compactMap({ $0 }) {
            try runner.check(c)
        }
    }

    /// Listening on every port, for `check --capture`.
    public func capture(_ plan: RegistrationPlan, runner: CommandRunner) -> PortCapture {
        PortCapture(runner: runner, names: names, plan: plan)
    }
}

extension RegisteringSwitch {
    /// tcpdump on one NIC's port of the switch: exactly the frames the switch hands that NIC
    /// and those the NIC sends into it.
    public func portCapture(_ nic: PlannedNIC, how: CaptureRequest) -> Command {
        Command(
            "ip",
            ["netns", "exec", names.namespace, "tcpdump", "-i", names.port(NICRef(vm: nic.vm, slot: nic.slot))]
                + how.tcpdumpOptions)
    }
}
