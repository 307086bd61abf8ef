import Foundation

/// Reads a netns lab back from the kernel: the switch's ports, flood flags and static
/// fdb entries (registrations and policies), and each VM namespace's interfaces,
/// bridges, MACs and addresses. Never copies anything from the plan but the names to look for.
public struct NetnsObserver: Sendable {
    public let runner: CommandRunner
    public let names: NetnsNames
    public let vmNames: [String]

    public init(runner: CommandRunner, lab: String, vmNames: [String]) {
        self.runner = runner; self.names = NetnsNames(lab: lab); self.vmNames = vmNames
    }

    /// What `status` shows and `check` diagnoses from.
    public struct Observation: Sendable {
        public var state: LabState
        /// Each internal network and the switch bridge that plays it.
        public var switches: [(network: String, bridge: String)]
        /// The namespace of each VM that has one.
        public var namespaces: [String: String]
        /// Whether the lab's switch namespace exists at all.
        public var exists: Bool
    }

    public static func existingNamespaces() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? [])
    }

    public func observe() throws(VBoxLabError) -> Observation {
        let existing = Self.existingNamespaces()
        let sw = names.switchNamespace
        guard existing.contains(sw) else {
            return Observation(state: LabState(lab: names.lab, vms: []), switches: [], namespaces: [:], exists: false)
        }
        let vmList = vmNames.filter { existing.contains(names.vmNamespace($0)) }
        let commands = [Command("ip", ["-n", sw, "-j", "-d", "link", "show"]), Command("bridge", ["-n", sw, "-j", "fdb", "show"])]
            + vmList.map { Command("ip", ["-n", names.vmNamespace($0), "-j", "-d", "addr", "show"]) }
        let runner = self.runner
        let results = parallelMap(commands) { c in Result { () throws(VBoxLabError) in try runner.check(c).stdout } }
        var outputs: [String] = []
        for r in results { outputs.append(try r.get()) }

        let links = Self.jsonArray(outputs[0]), fdb = Self.jsonArray(outputs[1])
        var bridgeNetwork: [String: String] = [:]
        var switches: [(String, String)] = []
        for l in links where Self.kind(l) == "bridge" {
            let name = l["ifname"] as? String ?? "", network = l["ifalias"] as? String ?? name
            bridgeNetwork[name] = network
            switches.append((network, name))
        }
        var registered: [String: MACAddress] = [:]
        for e in fdb where (e["state"] as? String) == "static" {
            if let port = e["ifname"] as? String, let mac = (e["mac"] as? String).flatMap(MACAddress.init) { registered[port] = mac }
        }
        struct Port { var nic: NICRef; var network: String; var mac: MACAddress?; var flood: Bool; var index: Int }
        var portsByVM: [String: [Port]] = [:]
        for l in links {
            guard let alias = l["ifalias"] as? String, let nic = NetnsNames.parsePortAlias(alias),
                  let master = l["master"] as? String, let ifname = l["ifname"] as? String else { continue }
            let slave = (l["linkinfo"] as? [String: Any])?["info_slave_data"] as? [String: Any]
            portsByVM[nic.vm, default: []].append(Port(nic: nic, network: bridgeNetwork[master] ?? master, mac: registered[ifname],
                                                       flood: slave?["flood"] as? Bool ?? true, index: l["ifindex"] as? Int ?? -1))
        }

        var vms: [VMState] = []
        var namespaces: [String: String] = [:]
        for name in vmNames {
            let ports = (portsByVM[name] ?? []).sorted { $0.nic.slot < $1.nic.slot }
            guard let i = vmList.firstIndex(of: name) else {
                vms.append(VMState(name: name, running: false, nics: ports.map { p in
                    NICState(slot: p.nic.slot, network: p.network, registeredMac: p.mac ?? MACAddress(0), promisc: p.flood ? .allowVMs : .deny,
                             interface: nil, guestMac: nil, linkUp: false, addresses: [], bridge: nil)
                }, bridges: []))
                continue
            }
            namespaces[name] = names.vmNamespace(name)
            let interfaces = Self.jsonArray(outputs[2 + i])
            let byPeer = Dictionary(interfaces.compactMap { l in (l["link_index"] as? Int).map { ($0, l) } }, uniquingKeysWith: { a, _ in a })
            let nics = ports.map { p -> NICState in
                let l = byPeer[p.index]
                return NICState(slot: p.nic.slot, network: p.network, registeredMac: p.mac ?? MACAddress(0),
                                promisc: p.flood ? .allowVMs : .deny, interface: l?["ifname"] as? String,
                                guestMac: (l?["address"] as? String).flatMap(MACAddress.init), linkUp: l.map(Self.isUp) ?? false,
                                addresses: l.map(Self.addresses) ?? [], bridge: l?["master"] as? String)
            }
            let bridges = interfaces.filter { Self.kind($0) == "bridge" }.map { l in
                BridgeState(name: l["ifname"] as? String ?? "", mac: (l["address"] as? String).flatMap(MACAddress.init) ?? MACAddress(0),
                            up: Self.isUp(l), addresses: Self.addresses(l))
            }
            vms.append(VMState(name: name, running: true, nics: nics, bridges: bridges))
        }
        return Observation(state: LabState(lab: names.lab, vms: vms), switches: switches, namespaces: namespaces, exists: true)
    }

    static func jsonArray(_ text: String) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
    }
    static func kind(_ link: [String: Any]) -> String? { (link["linkinfo"] as? [String: Any])?["info_kind"] as? String }
    static func isUp(_ link: [String: Any]) -> Bool { (link["flags"] as? [String])?.contains("UP") ?? false }
    static func addresses(_ link: [String: Any]) -> [IPv4CIDR] {
        ((link["addr_info"] as? [[String: Any]]) ?? []).compactMap { a in
            guard (a["family"] as? String) == "inet", let local = a["local"] as? String, let len = a["prefixlen"] as? Int,
                  let address = IPv4CIDR.parseAddress(local), (0...32).contains(len) else { return nil }
            return IPv4CIDR(address: address, prefix: len)
        }
    }
}
