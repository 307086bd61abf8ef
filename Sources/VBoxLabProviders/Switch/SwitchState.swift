import VBoxLabHost
import VBoxLabModel

/// One port as the kernel has it.
public struct ObservedPort: Sendable, Equatable {
    public var name: String
    public var bridge: String?
    public var network: String?
    public var registered: MACAddress?
    public var flood: Bool
    /// The port's ifindex: a veth's other end names it as its `link_index`.
    public var index: Int

    public init(name: String, bridge: String?, network: String?, registered: MACAddress?, flood: Bool, index: Int) {
        self.name = name
        self.bridge = bridge
        self.network = network
        self.registered = registered
        self.flood = flood
        self.index = index
    }

    /// The policy the port's flood flag enforces: the switch keeps no more than that.
    public var policy: PromiscPolicy { flood ? .allowVMs : .deny }
}

/// A registering switch read back from the kernel: its bridges by network (the bridge's
/// alias) and its ports by NIC (the port's alias), with their registrations and flooding.
public struct SwitchState: Sendable {
    public var exists: Bool
    /// Each network's bridge.
    public var bridges: [String: String]
    public var ports: [NICRef: ObservedPort]
    /// The networks in the kernel's order, which is the order their bridges were made.
    var order: [String]

    public init(exists: Bool, bridges: [String: String] = [:], ports: [NICRef: ObservedPort] = [:]) {
        self.exists = exists
        self.bridges = bridges
        self.ports = ports
        order = bridges.sorted { ($0.value.count, $0.value) < ($1.value.count, $1.value) }.map(\.key)
    }

    /// No switch namespace.
    public static let absent = SwitchState(exists: false)

    /// From `ip -j -d link show` and `bridge -j fdb show` in the switch namespace.
    public init(links linkJSON: String, fdb fdbJSON: String) {
        let links = IPJSON.array(linkJSON)
        var networkOf: [String: String] = [:]
        var bridges: [String: String] = [:]
        var order: [String] = []
        for l in links where IPJSON.kind(l) == "bridge" {
            let name = l["ifname"] as? String ?? ""
            let network = l["ifalias"] as? String ?? name
            networkOf[name] = network
            bridges[network] = name
            order.append(network)
        }
        // Only static entries are registrations: with learning off nothing else should be
        // there, and anything else would not say what was registered.
        var registered: [String: MACAddress] = [:]
        for e in IPJSON.array(fdbJSON) where (e["state"] as? String) == "static" {
            if let port = e["ifname"] as? String, let mac = (e["mac"] as? String).flatMap(MACAddress.init) {
                registered[port] = mac
            }
        }
        var ports: [NICRef: ObservedPort] = [:]
        for l in links {
            guard let alias = l["ifalias"] as? String, let nic = SwitchNames.parsePortAlias(alias),
                let name = l["ifname"] as? String
            else { continue }
            let master = l["master"] as? String
            let slave = (l["linkinfo"] as? [String: Any])?["info_slave_data"] as? [String: Any]
            // A port whose flood flag cannot be read is taken as the kernel's default: flooding.
            ports[nic] = ObservedPort(
                name: name, bridge: master, network: master.flatMap { networkOf[$0] }, registered: registered[name],
                flood: slave?["flood"] as? Bool ?? true, index: l["ifindex"] as? Int ?? -1)
        }
        self.init(exists: true, bridges: bridges, ports: ports)
        self.order = order
    }

    /// The switches as `status` shows them, one per network.
    public func switches(namespace: String) -> [SwitchObservation] {
        order.map { SwitchObservation(network: $0, namespace: namespace, bridge: bridges[$0]) }
    }
}
