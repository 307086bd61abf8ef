/// Which internal networks are joined into one layer-2 segment by guest bridges, and
/// what that means for a lab's addresses: pure, from the plan alone. `check` uses it to
/// name a pair that no frame can cross (`no-path`), `validate` and `plan` to warn.
public struct Segments: Sendable {
    private var parent: [String: String] = [:]
    /// Each NIC's network, and each bridge's first port: where an address hangs, by lookup.
    private var networkOf: [NICRef: String] = [:]
    private var firstPort: [BridgeRef: Int] = [:]

    public init(plan: RegistrationPlan) {
        for nic in plan.nics {
            networkOf[nic.ref] = nic.network
            if parent[nic.network] == nil { parent[nic.network] = nic.network }
        }
        for b in plan.bridges {
            firstPort[BridgeRef(vm: b.vm, name: b.name)] = b.portSlots.first
            let nets = b.portSlots.compactMap { networkOf[NICRef(vm: b.vm, slot: $0)] }
            guard let first = nets.first else {
                parent["bridge \(b.vm)/\(b.name)"] = "bridge \(b.vm)/\(b.name)"
                continue
            }
            for n in nets.dropFirst() { union(first, n) }
        }
        for key in Array(parent.keys) { parent[key] = root(key) }
    }

    func root(_ n: String) -> String {
        var n = n
        while let p = parent[n], p != n { n = p }
        return n
    }

    private mutating func union(_ a: String, _ b: String) {
        let ra = root(a)
        let rb = root(b)
        if ra != rb { parent[rb] = ra }
    }

    /// The network an address hangs on: its NIC's, or the first port's of its bridge.
    public func network(of a: LabAddress) -> String {
        switch a.endpoint {
        case .nic(let ref): return networkOf[ref] ?? "?"
        case .bridge(let b):
            return firstPort[b].flatMap { networkOf[NICRef(vm: b.vm, slot: $0)] } ?? "bridge \(b.vm)/\(b.name)"
        }
    }

    public func joined(_ a: String, _ b: String) -> Bool { root(a) == root(b) }
}

/// Labs that validate but cannot fully work: said on stderr by `validate` and `plan`
/// (exit 0), so a person learns before `create` what `check` would report. Linear in
/// the lab: addresses are grouped by subnet and by segment, never compared pairwise.
public enum LabWarnings {
    public static func of(_ plan: RegistrationPlan) -> [String] {
        let segments = Segments(plan: plan)
        var nicsOn: [String: [String]] = [:]
        var order: [String] = []
        for n in plan.nics {
            if nicsOn[n.network] == nil { order.append(n.network) }
            nicsOn[n.network, default: []].append("\(n.vm) slot \(n.slot)")
        }
        var out: [String] = []
        for network in order where nicsOn[network]!.count == 1 {
            out.append("network \(network) has one NIC (\(nicsOn[network]![0])): nothing else is attached to it")
        }
        let addresses = plan.addresses
        func label(_ a: LabAddress) -> String { "\(a.address) (\(a.vm))" }
        func subnet(_ a: LabAddress) -> String { "\(IPv4CIDR.format(a.address.network))/\(a.address.prefix)" }
        let nets = addresses.map(segments.network(of:))
        let roots = nets.map { segments.root($0) }
        var bySubnet: [String: [Int]] = [:]
        var subnetsOfSegment: [String: [String: Int]] = [:]
        var segmentOrder: [String] = []
        for (i, a) in addresses.enumerated() {
            bySubnet[subnet(a), default: []].append(i)
            if subnetsOfSegment[roots[i]] == nil { segmentOrder.append(roots[i]) }
            if subnetsOfSegment[roots[i], default: [:]][subnet(a)] == nil {
                subnetsOfSegment[roots[i], default: [:]][subnet(a)] = i
            }
        }
        for root in segmentOrder {
            let firsts = subnetsOfSegment[root]!.values.sorted()
            if firsts.count > 1 {
                out.append(
                    "\(label(addresses[firsts[0]])) and \(label(addresses[firsts[1]])) share a network but not a "
                        + "subnet: they cannot ping each other"
                )
            }
        }
        // Counted, not compared pairwise: a star of 100,000 hosts is one subnet.
        var inSubnetAndSegment: [String: Int] = [:]
        for (i, a) in addresses.enumerated() { inSubnetAndSegment["\(subnet(a)) \(roots[i])", default: 0] += 1 }
        for (i, a) in addresses.enumerated() {
            let all = bySubnet[subnet(a)]!
            guard let peer = all.first(where: { $0 != i }) else {
                out.append("\(label(a)) can reach no other endpoint: no other address is in \(subnet(a))")
                continue
            }
            if inSubnetAndSegment["\(subnet(a)) \(roots[i])"]! < 2 {
                out.append(
                    "\(label(a)) can reach no other endpoint: \(label(addresses[peer])) shares its subnet, but no "
                        + "bridge joins \(nets[i]) to \(nets[peer])"
                )
            }
        }
        return out
    }
}
