/// For each bridge port of a plan, the endpoints that lie behind it: those a frame reaches
/// by entering the port's bridge from the port's network. `check` uses it to name the NIC
/// that must carry a lost frame's destination MAC: the port, on the network where the frame
/// was dropped, behind which the frame's addressee lies. Pure, from the plan alone; built
/// once per check, linear in ports times networks.
public struct PortsBehind: Sendable {
    /// network → endpoint → the port on that network that leads to it.
    private var toward: [String: [EndpointRef: NICRef]] = [:]
    /// port → how many endpoints lie behind it, and their VMs in lab order.
    private var behind: [NICRef: [EndpointRef]] = [:]

    public init(plan: RegistrationPlan) {
        var portsOn: [String: [PlannedNIC]] = [:]
        for n in plan.nics where n.bridge != nil { portsOn[n.network, default: []].append(n) }
        var hostsOn: [String: [EndpointRef]] = [:]
        for n in plan.nics where n.ip != nil { hostsOn[n.network, default: []].append(.nic(n.ref)) }
        let portsOf = Dictionary(grouping: plan.nics.filter { $0.bridge != nil }) {
            BridgeRef(vm: $0.vm, name: $0.bridge!)
        }
        let addressed = Set(plan.bridges.filter { $0.ip != nil }.map { BridgeRef(vm: $0.vm, name: $0.name) })
        for (_, ports) in portsOn {
            for port in ports {
                let found = Self.reach(
                    from: port, portsOn: portsOn, hostsOn: hostsOn, portsOf: portsOf, addressed: addressed)
                behind[port.ref] = found
                for e in found where toward[port.network]?[e] == nil {
                    toward[port.network, default: [:]][e] = port.ref
                }
            }
        }
    }

    /// Everything reached through `port`'s bridge, never back onto `port`'s own network.
    private static func reach(
        from port: PlannedNIC, portsOn: [String: [PlannedNIC]], hostsOn: [String: [EndpointRef]],
        portsOf: [BridgeRef: [PlannedNIC]], addressed: Set<BridgeRef>
    ) -> [EndpointRef] {
        var found: [EndpointRef] = []
        var seenBridges: Set<BridgeRef> = []
        var seenNetworks: Set<String> = [port.network]
        var bridges = [BridgeRef(vm: port.vm, name: port.bridge!)]
        while let b = bridges.popLast() {
            guard seenBridges.insert(b).inserted else { continue }
            if addressed.contains(b) { found.append(.bridge(b)) }
            for p in portsOf[b] ?? [] where seenNetworks.insert(p.network).inserted {
                found += hostsOn[p.network] ?? []
                for q in portsOn[p.network] ?? [] { bridges.append(BridgeRef(vm: q.vm, name: q.bridge!)) }
            }
        }
        return found.sorted()
    }

    /// The port on `network` behind which `endpoint` lies, if a bridge leads there.
    public func port(on network: String, toward endpoint: EndpointRef) -> NICRef? { toward[network]?[endpoint] }

    /// The endpoints behind a port (none for a NIC that is no bridge port).
    public func endpoints(behind port: NICRef) -> [EndpointRef] { behind[port] ?? [] }
}
