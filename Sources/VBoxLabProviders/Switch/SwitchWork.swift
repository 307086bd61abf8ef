import VBoxLabHost
import VBoxLabModel

/// The kernel work that brings a registering switch to its planned ports, as data: a new
/// switch is the same work with everything to add. Rendered into few batches because
/// each `ip`/`bridge` process costs more than the lines it runs: lines for the caller's
/// root-namespace batch, one `ip -batch` in the switch namespace for deletions, one for
/// links, one `bridge -batch` for the registrations and policies.
public struct SwitchWork: Sendable {
    public let names: SwitchNames
    public var createNamespace = false
    /// Ports and bridges the plan no longer has, or that are in the way of a new link.
    public var deleteLinks: [String] = []
    public var addBridges: [(bridge: String, network: String)] = []
    /// Ports whose link is made (or moved in), with the bridge of their network.
    public var addPorts: [(port: SwitchPort, bridge: String)] = []
    /// Existing ports that join another network's bridge.
    public var movePorts: [(port: SwitchPort, bridge: String)] = []
    public var fdbLines: [String] = []
    /// One line per change, for people.
    public var changes: [String] = []

    public init(names: SwitchNames) { self.names = names }

    public var isEmpty: Bool {
        !createNamespace && deleteLinks.isEmpty && addBridges.isEmpty && addPorts.isEmpty && movePorts.isEmpty
            && fdbLines.isEmpty
    }

    /// `renewed`: VMs whose links are new, so their ports are made whatever was seen.
    /// `vanishing`: VMs whose links the caller removes, taking their ports with them.
    public static func diff(
        _ ports: [SwitchPort], seen: SwitchState, names: SwitchNames,
        renewed: Set<String>, vanishing: Set<String>
    ) -> SwitchWork {
        var w = SwitchWork(names: names)
        w.createNamespace = !seen.exists
        var networks: [String] = []
        for p in ports where !networks.contains(p.network) { networks.append(p.network) }
        let bridgeOf = w.placeBridges(networks, seen: seen)
        w.removePorts(keeping: Set(ports.map(\.nic)), seen: seen, vanishing: vanishing)
        for p in ports {
            w.converge(p, bridge: bridgeOf[p.network]!, seen: seen.ports[p.nic], renewed: renewed.contains(p.nic.vm))
        }
        return w
    }

    /// Bridges are kept by their alias (the network); new ones take the lowest free index.
    private mutating func placeBridges(_ networks: [String], seen: SwitchState) -> [String: String] {
        var bridgeOf = seen.exists ? seen.bridges : [:]
        for (network, bridge) in bridgeOf.sorted(by: { $0.key < $1.key }) where !networks.contains(network) {
            deleteLinks.append(bridge)
            bridgeOf[network] = nil
            changes.append("removed network \(network)")
        }
        var used = Set(bridgeOf.values)
        var next = 0
        for network in networks where bridgeOf[network] == nil {
            while used.contains(names.bridge(next)) { next += 1 }
            let bridge = names.bridge(next)
            used.insert(bridge)
            bridgeOf[network] = bridge
            addBridges.append((bridge, network))
            if seen.exists { changes.append("added network \(network)") }
        }
        return bridgeOf
    }

    private mutating func removePorts(keeping planned: Set<NICRef>, seen: SwitchState, vanishing: Set<String>) {
        for (ref, port) in seen.ports.sorted(by: { ($0.key.vm, $0.key.slot) < ($1.key.vm, $1.key.slot) })
        where !planned.contains(ref) && !vanishing.contains(ref.vm) {
            deleteLinks.append(port.name)
            changes.append("removed \(ref.vm) slot \(ref.slot) (\(port.network ?? "no network"))")
        }
    }

    /// A port made, moved, re-registered or re-flooded. The switch never learns and floods
    /// unknown unicast only to ports whose policy asks for it, so each port's one static
    /// entry is the only way frames find it.
    private mutating func converge(_ p: SwitchPort, bridge: String, seen: ObservedPort?, renewed: Bool) {
        let nic = p.nic
        let port = names.port(nic)
        guard !renewed, let seen else {
            // A port left by the link this one replaces would take its name.
            if let seen { deleteLinks.append(seen.name) }
            addPorts.append((p, bridge))
            fdbLines += [Self.policyLine(port, flood: p.flood), Self.registerLine(p.registered, port)]
            if !renewed { changes.append("added \(nic.vm) slot \(nic.slot) on \(p.network)") }
            return
        }
        if seen.bridge != bridge {
            movePorts.append((p, bridge))
            changes.append("\(nic.vm) slot \(nic.slot): moved to \(p.network) (was \(seen.network ?? "none"))")
        }
        if seen.registered != p.registered {
            if let old = seen.registered { fdbLines.append("fdb del \(old) dev \(port) master static") }
            fdbLines.append(Self.registerLine(p.registered, port))
            changes.append(
                "\(nic.vm) slot \(nic.slot) \(p.network): register \(p.registered) (was "
                    + "\(seen.registered?.description ?? "none"))"
            )
        }
        if seen.flood != p.flood {
            fdbLines.append(Self.policyLine(port, flood: p.flood))
            changes.append(
                "\(nic.vm) slot \(nic.slot) \(p.network): promiscuous policy \(p.policy.rawValue) (was "
                    + "\(seen.policy.rawValue))"
            )
        }
    }

    private static func policyLine(_ port: String, flood: Bool) -> String {
        "link set dev \(port) learning off flood \(flood ? "on" : "off")"
    }
    private static func registerLine(_ mac: MACAddress, _ port: String) -> String {
        "fdb replace \(mac) dev \(port) master static"
    }
}
