/// Spec in, plan out: the registrations and guest MACs that let every endpoint reach
/// every other through VirtualBox's registering switch. Pure.
public enum Solver {
    public static func plan(_ spec: LabSpec, strategy override: Strategy? = nil) throws(VBoxLabError)
        -> RegistrationPlan
    {
        let topology = Topology(spec)
        let strategy = override ?? spec.strategy
        var allocator = MACAllocator(reserved: Set(spec.vms.flatMap { $0.nics.compactMap(\.mac) }))
        var own: [NICRef: MACAddress] = [:]
        for vm in spec.vms {
            for nic in vm.nics {
                own[NICRef(vm: vm.name, slot: nic.slot)] =
                    nic.mac ?? allocator.registered("\(spec.name)/\(vm.name)/\(nic.slot)")
            }
        }
        var bridgeMac: [BridgeRef: MACAddress] = [:]
        for vm in spec.vms {
            for bridge in vm.bridges where bridge.ip != nil {
                bridgeMac[BridgeRef(vm: vm.name, name: bridge.name)] = allocator.registered(
                    "\(spec.name)/\(vm.name)/bridge/\(bridge.name)")
            }
        }
        func mac(of endpoint: EndpointRef) -> MACAddress {
            switch endpoint {
            case .nic(let n): return own[n]!
            case .bridge(let b): return bridgeMac[b]!
            }
        }

        var nics: [PlannedNIC] = []
        var conflicts: [PlanConflict] = []
        for vm in spec.vms {
            for nic in vm.nics {
                let ref = NICRef(vm: vm.name, slot: nic.slot)
                let mine = own[ref]!
                var planned = PlannedNIC(
                    vm: vm.name, slot: nic.slot, network: nic.network, mac: mine, promisc: .deny,
                    guestMac: mine, bridge: topology.portBridge[ref]?.name, ownMac: mine,
                    ip: nic.ip, interface: nic.interface, role: nic.ip == nil ? .idle : .endpoint)
                if let behind = topology.behind[ref] {
                    switch (strategy, behind.count) {
                    case (_, 0):
                        planned.role = .emptyPort
                    case (.none, _):
                        planned.role = .unchanged(count: behind.count, sample: behind.sample)
                    case (.promisc, _), (.auto, 2...):
                        planned.promisc = .allowVMs
                        planned.role = .promiscuous(count: behind.count, sample: behind.sample)
                    case (.macSwap, 2...):
                        conflicts.append(
                            PlanConflict(
                                vm: vm.name, slot: nic.slot, network: nic.network, bridge: planned.bridge ?? "",
                                count: behind.count,
                                behind: behind.sample.map { ($0.description, mac(of: $0).description) }))
                    default:
                        let endpoint = behind.single!
                        planned.mac = mac(of: endpoint)
                        planned.guestMac = allocator.local("\(spec.name)/\(vm.name)/\(nic.slot)/guest")
                        planned.role = .swapped(endpoint)
                    }
                }
                nics.append(planned)
            }
        }
        if !conflicts.isEmpty { throw .unmeetablePlan(lab: spec.name, conflicts: conflicts) }

        let bridges = spec.vms.flatMap { vm in
            vm.bridges.map { bridge in
                PlannedBridge(
                    vm: vm.name, name: bridge.name, mac: bridgeMac[BridgeRef(vm: vm.name, name: bridge.name)],
                    ip: bridge.ip,
                    portSlots: bridge.ports.compactMap { net in vm.nics.first { $0.network == net }?.slot },
                    stp: bridge.stp)
            }
        }
        return RegistrationPlan(lab: spec.name, strategy: strategy, nics: nics, bridges: bridges)
    }
}
