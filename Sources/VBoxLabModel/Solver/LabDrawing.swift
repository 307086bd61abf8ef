/// The lab as a person would sketch the seed: each VM a box holding its NICs (slot,
/// registered MAC, guest MAC, policy) and its bridges, each internal network a node the NICs
/// hang on. With a check's result, pairs that pass colour their hosts green and the place
/// where a failing pair's frame was lost is marked red. Pure: text out, Graphviz or Mermaid.
public struct LabDrawing: Sendable {
    public let plan: RegistrationPlan
    /// Where the last check lost frames: network or VM name → what was lost there.
    public var lost: [String: [String]] = [:]
    /// VMs all of whose pairs passed, and VMs with a failing pair.
    public var passed: Set<String> = []
    public var failed: Set<String> = []
    /// What the drawing shows, said in its title: the plan by its strategy unless set.
    public var caption: String?
    /// The NICs carry what the system has, not the plan's choices: whose a MAC is is read from it.
    public var observed = false

    public init(plan: RegistrationPlan) { self.plan = plan }

    var title: String { "lab \(plan.lab), \(caption ?? "strategy \(plan.strategy.rawValue)")" }

    /// Marks from a check: `pairs` of (from VM, to VM, ok, where lost).
    public mutating func mark(_ pairs: [(from: String, to: String, ok: Bool, lost: String?)]) {
        for p in pairs {
            if p.ok {
                passed.formUnion([p.from, p.to])
            } else {
                failed.formUnion([p.from, p.to])
                if let place = p.lost { lost[place, default: []].append("\(p.from) → \(p.to)") }
            }
        }
        passed.subtract(failed)
    }

    var networks: [String] {
        var out: [String] = []
        for n in plan.nics where !out.contains(n.network) { out.append(n.network) }
        return out
    }

    func id(_ s: String) -> String { "n" + String(fnv1a(s) & 0xFFFF_FFFF, radix: 16) }
    func nicLines(_ n: PlannedNIC) -> [String] {
        var l = ["slot \(n.slot)" + (n.ip.map { " \($0)" } ?? "")]
        l.append("reg \(n.mac) (\(whose(n)))")
        if n.guestMac != n.mac { l.append("guest \(n.guestMac)") }
        l.append(n.promisc.rawValue)
        return l
    }

    /// Whose MAC a NIC is registered with: its own, or (mac-swap) the host behind the port.
    func whose(_ n: PlannedNIC) -> String {
        if !observed, case .swapped(let e) = n.role { return e.description }
        return n.mac == n.ownMac ? "own" : owner(of: n.mac)
    }

    func owner(of mac: MACAddress) -> String {
        plan.nics.first { $0.ip != nil && $0.guestMac == mac }?.vm ?? plan.bridges.first { $0.mac == mac }.map {
            "\($0.vm) \($0.name)"
        } ?? "?"
    }

    /// What the marks of a drawing mean, `network` naming the shape an internal network has.
    func legend(network: String) -> [String] {
        var l = [
            "box: a lab NIC of a VM (slot, address)",
            "reg MAC (host): the MAC VirtualBox registers the NIC with, and whose it is (own: the NIC's own)",
            "guest MAC: the MAC the guest gives a bridge port instead",
            "deny: the NIC gets only frames for its registered MAC; allow-vms: every frame on its network "
                + "(promiscuous)",
            "hexagon: a Linux bridge in the guest; \(network): an internal network, a registering switch",
        ]
        if !passed.isEmpty || !failed.isEmpty {
            l.append(
                "green: a VM whose pairs all passed the last check; red: one with a failing pair, and where its "
                    + "frame was lost"
            )
        }
        return l
    }

    /// Graphviz: `dot -Tsvg` draws it.
    public var dot: String {
        var s = [
            "graph \"\(plan.lab)\" {",
            "  graph [rankdir=LR, fontname=\"Helvetica\", label=\"\(title)\"];",
            "  node [fontname=\"Helvetica\", fontsize=10];",
        ]
        for vm in plan.vmNames {
            let colour = failed.contains(vm) ? "red" : passed.contains(vm) ? "darkgreen" : "black"
            s.append("  subgraph \"cluster_\(vm)\" {")
            s.append("    label=\"\(vm)\(lostNote(vm))\"; color=\(lost[vm] != nil ? "red" : colour);")
            for n in plan.nics(of: vm) {
                s.append("    \(id("\(vm)/\(n.slot)")) [shape=box, label=\"\(nicLines(n).joined(separator: "\\n"))\"];")
            }
            for b in plan.bridges(of: vm) {
                s.append(
                    "    \(id("\(vm)#\(b.name)")) [shape=hexagon, "
                        + "label=\"\(b.name)\(b.ip.map { "\\n\($0)" } ?? "")\(b.mac.map { "\\n\($0)" } ?? "")\"];"
                )
                for slot in b.portSlots { s.append("    \(id("\(vm)#\(b.name)")) -- \(id("\(vm)/\(slot)"));") }
            }
            s.append("  }")
        }
        for net in networks {
            s.append(
                "  \(id("net:\(net)")) [shape=ellipse, style=filled, "
                    + "fillcolor=\(lost[net] != nil ? "mistyrose" : "lightblue"), label=\"\(net)\(lostNote(net))\"];"
            )
        }
        for n in plan.nics { s.append("  \(id("\(n.vm)/\(n.slot)")) -- \(id("net:\(n.network)"));") }
        s.append(
            "  subgraph cluster_legend { label=\"legend\"; color=gray; legend [shape=plaintext, "
                + "label=\"\(legend(network: "ellipse").joined(separator: "\\l"))\\l\"]; }"
        )
        s.append("}")
        return s.joined(separator: "\n") + "\n"
    }

    func lostNote(_ place: String) -> String {
        guard let l = lost[place] else { return "" }
        return "\\nlost here: " + l.joined(separator: ", ")
    }

    /// Mermaid: renders in GitHub and most Markdown viewers.
    public var mermaid: String {
        var s = ["flowchart LR"]
        for vm in plan.vmNames {
            s.append(
                "  subgraph \(id("vm:\(vm)"))[\"\(vm)\(lostNote(vm).replacingOccurrences(of: "\\n", with: "<br>"))\"]")
            for n in plan.nics(of: vm) {
                s.append("    \(id("\(vm)/\(n.slot)"))[\"\(nicLines(n).joined(separator: "<br>"))\"]")
            }
            for b in plan.bridges(of: vm) {
                s.append("    \(id("\(vm)#\(b.name)")){{\"\(b.name)\(b.ip.map { "<br>\($0)" } ?? "")\"}}")
                for slot in b.portSlots { s.append("    \(id("\(vm)#\(b.name)")) --- \(id("\(vm)/\(slot)"))") }
            }
            s.append("  end")
        }
        for net in networks {
            s.append(
                "  \(id("net:\(net)"))((\"\(net)\(lostNote(net).replacingOccurrences(of: "\\n", with: "<br>"))\"))")
        }
        for n in plan.nics { s.append("  \(id("\(n.vm)/\(n.slot)")) --- \(id("net:\(n.network)"))") }
        for vm in plan.vmNames.sorted() where failed.contains(vm) || passed.contains(vm) {
            s.append("  style \(id("vm:\(vm)")) stroke:\(failed.contains(vm) ? "#c00" : "#080"),stroke-width:2px")
        }
        for place in lost.keys.sorted() where networks.contains(place) {
            s.append("  style \(id("net:\(place)")) fill:#fdd,stroke:#c00")
        }
        s.append("  legend[\"\(title)<br>\(legend(network: "circle").joined(separator: "<br>"))\"]")
        s.append("  style legend fill:#fff,stroke:#999,stroke-dasharray:3")
        return s.joined(separator: "\n") + "\n"
    }
}
