/// Spec in, plan out: the registrations and guest MACs that let every endpoint reach
/// every other through VirtualBox's registering switch. Pure.
public enum Solver {
    public static func plan(_ spec: LabSpec, strategy override: Strategy? = nil) throws(VBoxLabError)
        -> RegistrationPlan
    {
        let topology = Topology(spec)
        let strategy = override ?? spec.strategy
        var allocator = MACAllocator(reserved: Set(spec.vms.flatMap { $0.nics.compactMap(\.mac) }))
        // The order of allocation is part of the result: own MACs, bridge MACs, then guest MACs.
        let macs = EndpointMACs(spec, allocator: &allocator)
        var nics: [PlannedNIC] = []
        var conflicts: [PlanConflict] = []
        for vm in spec.vms {
            for nic in vm.nics {
                switch planNIC(
                    nic, of: vm, lab: spec.name, topology: topology, strategy: strategy, macs: macs,
                    allocator: &allocator)
                {
                case .planned(let planned): nics.append(planned)
                case .conflict(let conflict): conflicts.append(conflict)
                }
            }
        }
        if !conflicts.isEmpty { throw .unmeetablePlan(lab: spec.name, conflicts: conflicts) }

        let bridges = spec.vms.flatMap { vm in
            vm.bridges.map { bridge in
                PlannedBridge(
                    vm: vm.name, name: bridge.name, mac: macs.bridge[BridgeRef(vm: vm.name, name: bridge.name)],
                    ip: bridge.ip,
                    portSlots: bridge.ports.compactMap { net in vm.nics.first { $0.network == net }?.slot },
                    stp: bridge.stp)
            }
        }
        return RegistrationPlan(lab: spec.name, strategy: strategy, nics: nics, bridges: bridges)
    }

    /// One NIC's registration, policy and guest MAC, from what lies behind it when it is a
    /// bridge port; a port that would need several MACs under mac-swap is a conflict.
    private static func planNIC(
        _ nic: NICSpec, of vm: VMSpec, lab: String, topology: Topology, strategy: Strategy, macs: EndpointMACs,
        allocator: inout MACAllocator
    ) -> NICOutcome {
        let ref = NICRef(vm: vm.name, slot: nic.slot)
        let mine = macs.own[ref]!
        var planned = PlannedNIC(
            vm: vm.name, slot: nic.slot, network: nic.network, mac: mine, promisc: .deny,
            guestMac: mine, bridge: topology.portBridge[ref]?.name, ownMac: mine,
            ip: nic.ip, interface: nic.interface, role: nic.ip == nil ? .idle : .endpoint)
        guard let behind = topology.behind[ref] else { return .planned(planned) }
        switch (strategy, behind.count) {
        case (_, 0):
            planned.role = .emptyPort
        case (.none, _):
            planned.role = .unchanged(count: behind.count, sample: behind.sample)
        case (.promisc, _), (.auto, 2...):
            planned.promisc = .allowVMs
            planned.role = .promiscuous(count: behind.count, sample: behind.sample)
        case (.macSwap, 2...):
            return .conflict(
                PlanConflict(
                    vm: vm.name, slot: nic.slot, network: nic.network, bridge: planned.bridge ?? "",
                    count: behind.count,
                    behind: behind.sample.map { ($0.description, macs.of($0).description) }))
        default:
            let endpoint = behind.single!
            planned.mac = macs.of(endpoint)
            planned.guestMac = allocator.local("\(lab)/\(vm.name)/\(nic.slot)/guest")
            planned.role = .swapped(endpoint)
        }
        return .planned(planned)
    }
}

private enum NICOutcome {
    case planned(PlannedNIC)
    case conflict(PlanConflict)
}

/// The MAC each endpoint owns: a NIC's (the spec's, else one derived from its name) and an
/// addressed bridge's.
private struct EndpointMACs {
    var own: [NICRef: MACAddress] = [:]
    var bridge: [BridgeRef: MACAddress] = [:]

    init(_ spec: LabSpec, allocator: inout MACAllocator) {
        for vm in spec.vms {
            for nic in vm.nics {
                own[NICRef(vm: vm.name, slot: nic.slot)] =
                    nic.mac ?? allocator.registered("\(spec.name)/\(vm.name)/\(nic.slot)")
            }
        }
        for vm in spec.vms {
            for b in vm.bridges where b.ip != nil {
                bridge[BridgeRef(vm: vm.name, name: b.name)] = allocator.registered(
                    "\(spec.name)/\(vm.name)/bridge/\(b.name)")
            }
        }
    }

    func of(_ endpoint: EndpointRef) -> MACAddress {
        switch endpoint {
        case .nic(let n): return own[n]!
        case .bridge(let b): return bridge[b]!
        }
    }
}
