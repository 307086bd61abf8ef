/// What the netns provider builds for a plan, as data: namespaces, veths, switch
/// bridges and their ports, rendered into the few batches that build it
/// (performance.md: one `ip -batch` in the root namespace, one per namespace that
/// needs per-namespace work, one `bridge -batch`).
public struct NetnsLayout: Sendable {
    public let plan: RegistrationPlan
    public let names: NetnsNames
    /// Internal networks, indexed as their switch bridges are (`vs0`, `vs1`, ...).
    public let networks: [String]

    public init(plan: RegistrationPlan) {
        self.plan = plan
        names = NetnsNames(lab: plan.lab)
        var networks: [String] = []
        for nic in plan.nics where !networks.contains(nic.network) { networks.append(nic.network) }
        self.networks = networks
    }

    public var vmNamespaces: [String] { plan.vmNames.map(names.vmNamespace) }
    public var allNamespaces: [String] { [names.switchNamespace] + vmNamespaces }
    public func switchBridge(for network: String) -> String { names.switchBridge(networks.firstIndex(of: network)!) }
    public func interface(_ nic: PlannedNIC) -> String { GuestInterfaceName.forSlot(nic.slot) }

    /// Root batch: every namespace, every switch bridge and every veth, each veth's ends
    /// created directly in their final namespaces, the VM end with its registered MAC.
    public var rootBatch: String {
        var lines = allNamespaces.map { "netns add \($0)" }
        let sw = names.switchNamespace
        lines += networks.indices.map { "link add \(names.switchBridge($0)) netns \(sw) type bridge" }
        lines += plan.nics.map { nic in
            "link add \(interface(nic)) netns \(names.vmNamespace(nic.vm)) address \(nic.mac) type veth peer name \(names.switchPort(nic.ref)) netns \(sw)"
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Switch namespace batch: label and raise the bridges, attach and raise the ports.
    public var switchBatch: String {
        var lines = networks.enumerated().map { "link set dev \(names.switchBridge($0.offset)) alias \($0.element) up" }
        lines += plan.nics.map { nic in
            "link set dev \(names.switchPort(nic.ref)) alias \(names.portAlias(nic.ref)) master \(switchBridge(for: nic.network)) up"
        }
        lines.append("link set dev lo up")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `bridge -batch`: the registering switch. No learning, no flooding of unknown
    /// unicast, one static entry per port for its registered MAC; a policy other than
    /// deny floods unknown unicast to that port (lab-spec §4).
    public var fdbBatch: String {
        var lines: [String] = []
        for nic in plan.nics {
            let port = names.switchPort(nic.ref)
            lines.append("link set dev \(port) learning off flood \(nic.promisc.receivesAll ? "on" : "off")")
            lines.append("fdb add \(nic.mac) dev \(port) master static")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
