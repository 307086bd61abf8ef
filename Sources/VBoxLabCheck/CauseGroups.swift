import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// How `check` words the failing pairs of one cause for people: pairs that lose their frame
/// at the same bridge port of the same network form one paragraph (the first pair in full,
/// the others counted and named), the first paragraph of a kind says once why the frame is
/// dropped, and each paragraph ends with what the port needs. A lab with every port wrong
/// gives one paragraph per port, not one per pair.
extension CheckReport {
    /// How many other pairs of a group are named; the rest are counted.
    static let namedPerGroup = 8

    func explained(_ failed: [PairResult], cause: FailureCause) -> [String] {
        var lines: [String] = []
        var taught = false
        for group in Self.grouped(failed) {
            let shown = [group[0]] + group.dropFirst().filter { $0.capture != nil }
            for (i, r) in shown.enumerated() {
                lines += pairLines(r)
                if i == 0, !taught, let lesson = Self.lesson(for: cause) {
                    lines.append("    why: " + lesson)
                    taught = true
                }
            }
            let others = group.filter { r in !shown.contains { $0.pair == r.pair } }
            if !others.isEmpty, let port = group[0].diagnosis?.port {
                let named = others.prefix(Self.namedPerGroup).map { "\($0.pair.from.vm) → \($0.pair.to.vm)" }
                let more = others.count > named.count ? ", and \(others.count - named.count) more" : ""
                lines.append(
                    "    \(group.count) pairs lose their frame at \(port.name): also "
                        + "\(named.joined(separator: ", "))\(more)"
                )
            }
            if let action = Self.action(for: group[0].diagnosis) { lines.append("    " + action) }
        }
        return lines
    }

    /// Pairs in report order, those with the same port hint together (first seen first);
    /// a pair without one stands alone.
    static func grouped(_ failed: [PairResult]) -> [[PairResult]] {
        var groups: [[PairResult]] = []
        var index: [PortKey: Int] = [:]
        for r in failed {
            guard let port = r.diagnosis?.port else {
                groups.append([r])
                continue
            }
            let key = PortKey(nic: port.nic, network: port.network)
            if let i = index[key] {
                groups[i].append(r)
            } else {
                index[key] = groups.count
                groups.append([r])
            }
        }
        return groups
    }

    struct PortKey: Hashable {
        var nic: NICRef
        var network: String
    }

    func pairLines(_ r: PairResult) -> [String] {
        var lines = ["  \(label(r.pair.from)) → \(label(r.pair.to)): \(r.diagnosis?.reason ?? "no explanation")"]
        if let c = r.capture {
            let verdict =
                c.agrees
                ? "agrees with the model (lost \(c.place))"
                : "DISAGREES with the model: capture says lost \(c.place), model says "
                    + "\(c.model?.description ?? "nothing")"
            lines.append("    capture: \(c.lastSeen); \(verdict)")
        }
        return lines
    }

    /// Why frames of this kind are dropped, said once per report: the concept the fix rests on.
    static func lesson(for cause: FailureCause) -> String? {
        switch cause {
        case .unregisteredMac:
            return
                "VirtualBox's internal network is a registering switch, not a learning one: it hands a unicast frame "
                + "only to the NIC registered with its destination MAC (or to a promiscuous NIC) and neither learns "
                + "MACs nor floods unknown unicast, so a frame for a host behind a guest's bridge is dropped unless "
                + "that bridge's port carries the host's MAC or is promiscuous."
        case .guestMacClash:
            return
                "a Linux bridge treats the MACs of its own ports as its own and delivers a frame addressed to one of "
                + "them locally instead of forwarding it, so a port that still carries the MAC of a host behind it "
                + "swallows that host's frames."
        default:
            return nil
        }
    }

    /// What the port of a group needs, naming the NIC that should carry the MAC.
    static func action(for d: Diagnosis?) -> String? {
        guard let d, d.cause == .unregisteredMac, let port = d.port else { return nil }
        if port.endpointsBehind <= 1 {
            return "register \(port.mac) (\(port.owner)) on \(port.name), or make that port promiscuous"
        }
        let names = port.behind.prefix(4).joined(separator: ", ") + (port.behind.count > 4 ? ", …" : "")
        return
            "make \(port.name), promiscuous: \(port.endpointsBehind) hosts lie behind it (\(names)), and a NIC is "
            + "registered with one MAC"
    }
}
