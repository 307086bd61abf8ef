/// One address of the lab (a NIC's or a bridge's `ip`) and who holds it by the plan.
public struct LabAddress: Sendable, Equatable {
    public var vm: String
    public var address: IPv4CIDR
    public var endpoint: EndpointRef
}

/// A directed pair that `check` pings.
public struct PingPair: Sendable, Equatable {
    public var from: LabAddress
    public var to: LabAddress
}

extension RegistrationPlan {
    public var addresses: [LabAddress] {
        nics.compactMap { n in n.ip.map { LabAddress(vm: n.vm, address: $0, endpoint: .nic(n.ref)) } }
            + bridges.compactMap { b in
                b.ip.map { LabAddress(vm: b.vm, address: $0, endpoint: .bridge(BridgeRef(vm: b.vm, name: b.name))) }
            }
    }

    /// Every ordered pair of lab addresses in one subnet, in plan order: what `check` pings.
    public var pingPairs: [PingPair] {
        let all = addresses
        var bySubnet: [String: [LabAddress]] = [:]
        var order: [String] = []
        for a in all {
            let key = "\(a.address.network)/\(a.address.prefix)"
            if bySubnet[key] == nil { order.append(key) }
            bySubnet[key, default: []].append(a)
        }
        var pairs: [PingPair] = []
        for a in all {
            let key = "\(a.address.network)/\(a.address.prefix)"
            for b in bySubnet[key]! where b.endpoint != a.endpoint { pairs.append(PingPair(from: a, to: b)) }
        }
        return pairs
    }
}
