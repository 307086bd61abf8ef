import Foundation
import VBoxLabHost
import VBoxLabModel

/// Reads a netns lab back from the kernel: the switch (through the lab's
/// `RegisteringSwitch`) and each VM namespace's interfaces, bridges, MACs and addresses.
/// Only namespaces the lab owns are read; nothing is copied from the plan but the names
/// to look for.
public struct NetnsObserver: Sendable {
    public let runner: CommandRunner
    public let names: NetnsNames

    public init(runner: CommandRunner, lab: String) {
        self.runner = runner
        names = NetnsNames(lab: lab)
    }

    /// What converge needs beyond the observation: the switch as the kernel has it.
    public struct Snapshot: Sendable {
        public var observation: LabObservation
        public var switchState: SwitchState
        /// The VMs whose namespace exists and is the lab's.
        public var running: Set<String>
        public var switchExists: Bool { switchState.exists }
    }

    /// `vms` are the VMs to report, in order; `owned` the lab's namespaces on the host.
    public func snapshot(vms: [String], owned: Set<String>) throws(VBoxLabError) -> Snapshot {
        let registering = RegisteringSwitch(lab: names.lab)
        let switchExists = owned.contains(registering.namespace)
        let vmList = vms.filter { owned.contains(names.vmNamespace($0)) }
        // All reads at once: the switch's and every VM's.
        let outputs = try read(
            (switchExists ? registering.observation : [])
                + vmList.map { Command("ip", ["-n", names.vmNamespace($0), "-j", "-d", "addr", "show"]) })
        let split = switchExists ? registering.observation.count : 0
        let state = switchExists ? registering.state(outputs: Array(outputs.prefix(split))) : .absent
        let vmOutputs = Dictionary(uniqueKeysWithValues: zip(vmList, outputs.dropFirst(split)))

        var states: [VMState] = []
        var details: [String: VMDetail] = [:]
        for name in vms {
            let own = state.ports.filter { $0.key.vm == name }.sorted { $0.key.slot < $1.key.slot }
            details[name] =
                vmOutputs[name] == nil
                ? VMDetail(state: "missing") : VMDetail(state: "running", namespace: names.vmNamespace(name))
            states.append(vmState(name, ports: own, addresses: vmOutputs[name]))
        }
        var observation = LabObservation(
            lab: names.lab, provider: "netns", state: LabState(lab: names.lab, vms: states), details: details,
            switches: state.switches(namespace: registering.namespace), exists: switchExists || !vmList.isEmpty)
        if !switchExists && !vmList.isEmpty { observation.missingSwitch = "namespace \(registering.namespace)" }
        return Snapshot(observation: observation, switchState: state, running: Set(vmList))
    }

    private func read(_ commands: [Command]) throws(VBoxLabError) -> [String] {
        let runner = self.runner
        let results = parallelMap(commands) { c in Result { () throws(VBoxLabError) in try runner.check(c).stdout } }
        var outputs: [String] = []
        for r in results { outputs.append(try r.get()) }
        return outputs
    }

    /// A VM from its ports and its namespace's `ip -j -d addr show` (nil: no namespace).
    /// Each NIC is the interface whose veth peer is the NIC's port.
    private func vmState(_ name: String, ports: [(key: NICRef, value: ObservedPort)], addresses: String?) -> VMState {
        guard let addresses else {
            return VMState(
                name: name, running: false, nics: ports.map { nicState($0.key, $0.value, interface: nil) }, bridges: [])
        }
        let interfaces = IPJSON.array(addresses)
        let byPeer = Dictionary(
            interfaces.compactMap { l in (l["link_index"] as? Int).map { ($0, l) } }, uniquingKeysWith: { a, _ in a })
        let bridges = interfaces.filter { IPJSON.kind($0) == "bridge" }.map { l in
            BridgeState(
                name: l["ifname"] as? String ?? "",
                mac: (l["address"] as? String).flatMap(MACAddress.init) ?? MACAddress(0),
                up: IPJSON.isUp(l), addresses: IPJSON.addresses(l))
        }
        return VMState(
            name: name, running: true,
            nics: ports.map { nicState($0.key, $0.value, interface: byPeer[$0.value.index]) }, bridges: bridges)
    }

    private func nicState(_ ref: NICRef, _ port: ObservedPort, interface l: [String: Any]?) -> NICState {
        NICState(
            slot: ref.slot, network: port.network ?? "?", registeredMac: port.registered ?? MACAddress(0),
            promisc: port.policy,
            interface: l?["ifname"] as? String, guestMac: (l?["address"] as? String).flatMap(MACAddress.init),
            linkUp: l.map(IPJSON.isUp) ?? false, addresses: l.map(IPJSON.addresses) ?? [],
            bridge: l?["master"] as? String)
    }
}
