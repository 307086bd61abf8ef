/// The kernel work that brings a netns lab to a plan, as data: a new lab is the same
/// work with everything to add. Rendered into the few batches that do it
/// (performance.md: one `ip -batch` in the root namespace, one in the switch namespace,
/// one `bridge -batch`), deletions first so a name freed is a name that can be reused.
public struct NetnsWork: Sendable {
    public let names: NetnsNames
    public var deleteNamespaces: [String] = []
    /// Switch ports and bridges the plan no longer has.
    public var deleteSwitchLinks: [String] = []
    public var addNamespaces: [String] = []
    /// New switch bridges: (bridge, network).
    public var addBridges: [(bridge: String, network: String)] = []
    /// NICs whose veth is made, with the bridge of their network.
    public var addPorts: [(nic: PlannedNIC, bridge: String)] = []
    /// Existing ports that join another network's bridge.
    public var movePorts: [(nic: PlannedNIC, bridge: String)] = []
    public var fdbLines: [String] = []
    public var newSwitch = false
    /// One line per change, for people.
    public var changes: [String] = []

    public init(names: NetnsNames) { self.names = names }

    public var isEmpty: Bool {
        deleteNamespaces.isEmpty && deleteSwitchLinks.isEmpty && addNamespaces.isEmpty && addBridges.isEmpty
            && addPorts.isEmpty && movePorts.isEmpty && fdbLines.isEmpty
    }

    /// The work for a plan against what the kernel has. `snapshot` nil: nothing exists.
    public static func diff(_ plan: RegistrationPlan, snapshot: NetnsObserver.Snapshot?, removeVMs: [String]) -> NetnsWork {
        let names = NetnsNames(lab: plan.lab)
        var w = NetnsWork(names: names)
        let running = snapshot?.running ?? []
        let switchExists = snapshot?.switchExists ?? false
        w.newSwitch = !switchExists
        if !switchExists { w.addNamespaces.append(names.switchNamespace) }
        for vm in plan.vmNames where !running.contains(vm) {
            w.addNamespaces.append(names.vmNamespace(vm))
            w.changes.append(snapshot == nil ? "" : "added VM \(vm)")
        }
        for vm in removeVMs {
            w.deleteNamespaces.append(names.vmNamespace(vm))
            w.changes.append("removed VM \(vm)")
        }

        // Switch bridges: kept by their alias (the network), new ones on the lowest free index.
        var networks: [String] = []
        for nic in plan.nics where !networks.contains(nic.network) { networks.append(nic.network) }
        var bridgeOf = switchExists ? snapshot!.bridges : [:]
        for (network, bridge) in bridgeOf.sorted(by: { $0.key < $1.key }) where !networks.contains(network) {
            w.deleteSwitchLinks.append(bridge)
            bridgeOf[network] = nil
            w.changes.append("removed network \(network)")
        }
        var used = Set(bridgeOf.values), next = 0
        for network in networks where bridgeOf[network] == nil {
            while used.contains(names.switchBridge(next)) { next += 1 }
            let bridge = names.switchBridge(next)
            used.insert(bridge)
            bridgeOf[network] = bridge
            w.addBridges.append((bridge, network))
            if switchExists { w.changes.append("added network \(network)") }
        }

        // Ports: made, moved, re-registered, or removed.
        let planned = Set(plan.nics.map(\.ref))
        let removed = Set(removeVMs)
        for (ref, port) in (snapshot?.ports ?? [:]).sorted(by: { ($0.key.vm, $0.key.slot) < ($1.key.vm, $1.key.slot) })
            where !planned.contains(ref) && !removed.contains(ref.vm) {
            w.deleteSwitchLinks.append(port.name)
            w.changes.append("removed \(ref.vm) slot \(ref.slot) (\(port.network ?? "no network"))")
        }
        for nic in plan.nics {
            let port = names.switchPort(nic.ref), bridge = bridgeOf[nic.network]!
            guard running.contains(nic.vm), let seen = snapshot?.ports[nic.ref] else {
                w.addPorts.append((nic, bridge))
                w.fdbLines.append("link set dev \(port) learning off flood \(nic.promisc.receivesAll ? "on" : "off")")
                w.fdbLines.append("fdb replace \(nic.mac) dev \(port) master static")
                if snapshot != nil && running.contains(nic.vm) { w.changes.append("added \(nic.vm) slot \(nic.slot) on \(nic.network)") }
                continue
            }
            if seen.bridge != bridge {
                w.movePorts.append((nic, bridge))
                w.changes.append("\(nic.vm) slot \(nic.slot): moved to \(nic.network) (was \(seen.network ?? "none"))")
            }
            if seen.registered != nic.mac {
                if let old = seen.registered { w.fdbLines.append("fdb del \(old) dev \(port) master static") }
                w.fdbLines.append("fdb replace \(nic.mac) dev \(port) master static")
                w.changes.append("\(nic.vm) slot \(nic.slot) \(nic.network): register \(nic.mac) (was \(seen.registered?.description ?? "none"))")
            }
            if seen.flood != nic.promisc.receivesAll {
                w.fdbLines.append("link set dev \(port) learning off flood \(nic.promisc.receivesAll ? "on" : "off")")
                w.changes.append("\(nic.vm) slot \(nic.slot) \(nic.network): promiscuous policy \(nic.promisc.rawValue) (was \(seen.flood ? "allow-vms" : "deny"))")
            }
        }
        w.changes.removeAll { $0.isEmpty }
        return w
    }

    /// Namespaces and links to delete, root namespace.
    public var deleteBatch: String? { batch(deleteNamespaces.map { "netns del \($0)" }) }
    /// Switch ports and bridges to delete, switch namespace (before anything is added).
    public var switchDeleteBatch: String? { batch(deleteSwitchLinks.map { "link del dev \($0)" }) }

    /// Root batch: namespaces, switch bridges and veths, each veth's ends created directly
    /// in their final namespaces, the VM end with its registered MAC.
    public var rootBatch: String? {
        let sw = names.switchNamespace
        return batch(addNamespaces.map { "netns add \($0)" }
            + addBridges.map { "link add \($0.bridge) netns \(sw) type bridge" }
            + addPorts.map { p in
                "link add \(GuestInterfaceName.forSlot(p.nic.slot)) netns \(names.vmNamespace(p.nic.vm)) address \(p.nic.mac) type veth peer name \(names.switchPort(p.nic.ref)) netns \(sw)"
            })
    }

    /// Switch namespace batch: label and raise the bridges, attach and raise the ports.
    public var switchBatch: String? {
        batch(addBridges.map { "link set dev \($0.bridge) alias \($0.network) up" }
            + (addPorts + movePorts).map { p in
                "link set dev \(names.switchPort(p.nic.ref)) alias \(names.portAlias(p.nic.ref)) master \(p.bridge) up"
            }
            + (newSwitch ? ["link set dev lo up"] : []))
    }

    /// `bridge -batch`: the registering switch. No learning, no flooding of unknown
    /// unicast, one static entry per port for its registered MAC; a policy other than
    /// deny floods unknown unicast to that port (lab-spec §4).
    public var fdbBatch: String? { batch(fdbLines) }

    private func batch(_ lines: [String]) -> String? { lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n" }
}
