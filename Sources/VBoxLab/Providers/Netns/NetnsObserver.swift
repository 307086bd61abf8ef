import Foundation

/// Reads a netns lab back from the kernel: the switch's bridges, ports, flood flags and
/// static fdb entries (registrations and policies), and each VM namespace's interfaces,
/// bridges, MACs and addresses. Only namespaces the lab owns are read; nothing is
/// copied from the plan but the names to look for.
public struct NetnsObserver: Sendable {
    public let runner: CommandRunner
    public let names: NetnsNames

    public init(runner: CommandRunner, lab: String) { self.runner = runner; names = NetnsNames(lab: lab) }

    /// One switch port as the kernel has it.
    public struct SwitchPort: Sendable, Equatable {
        public var name: String
        public var bridge: String?
        public var network: String?
        public var registered: MACAddress?
        public var flood: Bool
        var index: Int
    }

    /// What converge needs beyond the observation: the switch's own objects by name.
    public struct Snapshot: Sendable {
        public var observation: LabObservation
        public var switchExists: Bool
        /// Each network's switch bridge, by the bridge's alias.
        public var bridges: [String: String]
        public var ports: [NICRef: SwitchPort]
        /// The VMs whose namespace exists and is the lab's.
        public var running: Set<String>
    }

    /// `vms` are the VMs to report, in order; `owned` the lab's namespaces on the host.
    public func snapshot(vms: [String], owned: Set<String>) throws(VBoxLabError) -> Snapshot {
        let sw = names.switchNamespace
        let switchExists = owned.contains(sw)
        let vmList = vms.filter { owned.contains(names.vmNamespace($0)) }
        let commands = (switchExists ? [Command("ip", ["-n", sw, "-j", "-d", "link", "show"]), Command("bridge", ["-n", sw, "-j", "fdb", "show"])] : [])
            + vmList.map { Command("ip", ["-n", names.vmNamespace($0), "-j", "-d", "addr", "show"]) }
        let runner = self.runner
        let results = parallelMap(commands) { c in Result { () throws(VBoxLabError) in try runner.check(c).stdout } }
        var outputs: [String] = []
        for r in results { outputs.append(try r.get()) }
        let links = switchExists ? IPJSON.array(outputs[0]) : [], fdb = switchExists ? IPJSON.array(outputs[1]) : []
        let vmOutputs = Array(outputs.dropFirst(switchExists ? 2 : 0))

        var bridgeNetwork: [String: String] = [:], bridges: [String: String] = [:]
        var switches: [SwitchObservation] = []
        for l in links where IPJSON.kind(l) == "bridge" {
            let name = l["ifname"] as? String ?? "", network = l["ifalias"] as? String ?? name
            bridgeNetwork[name] = network
            bridges[network] = name
            switches.append(SwitchObservation(network: network, namespace: sw, bridge: name))
        }
        var registered: [String: MACAddress] = [:]
        for e in fdb where (e["state"] as? String) == "static" {
            if let port = e["ifname"] as? String, let mac = (e["mac"] as? String).flatMap(MACAddress.init) { registered[port] = mac }
        }
        var ports: [NICRef: SwitchPort] = [:]
        for l in links {
            guard let alias = l["ifalias"] as? String, let nic = NetnsNames.parsePortAlias(alias), let ifname = l["ifname"] as? String else { continue }
            let master = l["master"] as? String
            let slave = (l["linkinfo"] as? [String: Any])?["info_slave_data"] as? [String: Any]
            ports[nic] = SwitchPort(name: ifname, bridge: master, network: master.flatMap { bridgeNetwork[$0] }, registered: registered[ifname],
                                    flood: slave?["flood"] as? Bool ?? true, index: l["ifindex"] as? Int ?? -1)
        }

        var states: [VMState] = [], details: [String: VMDetail] = [:]
        for name in vms {
            let own = ports.filter { $0.key.vm == name }.sorted { $0.key.slot < $1.key.slot }
            guard let i = vmList.firstIndex(of: name) else {
                details[name] = VMDetail(state: "missing")
                states.append(VMState(name: name, running: false, nics: own.map { ref, p in
                    NICState(slot: ref.slot, network: p.network ?? "?", registeredMac: p.registered ?? MACAddress(0), promisc: p.flood ? .allowVMs : .deny,
                             interface: nil, guestMac: nil, linkUp: false, addresses: [], bridge: nil)
                }, bridges: []))
                continue
            }
            details[name] = VMDetail(state: "running", namespace: names.vmNamespace(name))
            let interfaces = IPJSON.array(vmOutputs[i])
            let byPeer = Dictionary(interfaces.compactMap { l in (l["link_index"] as? Int).map { ($0, l) } }, uniquingKeysWith: { a, _ in a })
            let nics = own.map { ref, p -> NICState in
                let l = byPeer[p.index]
                return NICState(slot: ref.slot, network: p.network ?? "?", registeredMac: p.registered ?? MACAddress(0),
                                promisc: p.flood ? .allowVMs : .deny, interface: l?["ifname"] as? String,
                                guestMac: (l?["address"] as? String).flatMap(MACAddress.init), linkUp: l.map(IPJSON.isUp) ?? false,
                                addresses: l.map(IPJSON.addresses) ?? [], bridge: l?["master"] as? String)
            }
            let guestBridges = interfaces.filter { IPJSON.kind($0) == "bridge" }.map { l in
                BridgeState(name: l["ifname"] as? String ?? "", mac: (l["address"] as? String).flatMap(MACAddress.init) ?? MACAddress(0),
                            up: IPJSON.isUp(l), addresses: IPJSON.addresses(l))
            }
            states.append(VMState(name: name, running: true, nics: nics, bridges: guestBridges))
        }
        var observation = LabObservation(lab: names.lab, provider: "netns", state: LabState(lab: names.lab, vms: states),
                                         details: details, switches: switches, exists: switchExists || !vmList.isEmpty)
        if !switchExists && !vmList.isEmpty { observation.missingSwitch = "namespace \(sw)" }
        return Snapshot(observation: observation, switchExists: switchExists, bridges: bridges, ports: ports, running: Set(vmList))
    }
}
