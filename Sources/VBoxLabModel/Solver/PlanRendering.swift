extension RegistrationPlan {
    /// `plan --json`: the lab, the strategy, every lab NIC once, every bridge.
    public var json: JSONOut {
        .object([
            ("lab", .string(lab)),
            ("strategy", .string(strategy.rawValue)),
            (
                "nics",
                .array(
                    nics.map { nic in
                        var members: [(String, JSONOut)] = [
                            ("vm", .string(nic.vm)), ("slot", .int(nic.slot)), ("network", .string(nic.network)),
                            ("mac", .string(nic.mac.description)), ("promisc", .string(nic.promisc.rawValue)),
                            ("guestMac", .string(nic.guestMac.description)),
                        ]
                        if let bridge = nic.bridge { members.append(("bridge", .string(bridge))) }
                        if let ip = nic.ip { members.append(("ip", .string(ip.description))) }
                        members.append(("why", .string(nic.why)))
                        return .object(members)
                    })
            ),
            (
                "bridges",
                .array(
                    bridges.map { b in
                        .object([
                            ("vm", .string(b.vm)), ("name", .string(b.name)), ("mac", .optional(b.mac?.description)),
                            ("ip", .optional(b.ip?.description)), ("ports", .array(b.portSlots.map { .int($0) })),
                            ("stp", .bool(b.stp)),
                        ])
                    })
            ),
        ])
    }

    /// The plan for people: one line per NIC, saying why each registration exists.
    public var table: String {
        let rows = nics.map { nic -> [String] in
            let change = nic.mac == nic.ownMac ? "keep \(nic.mac)" : "register \(nic.mac)"
            let guest = nic.guestMac == nic.mac ? "" : "  guest MAC \(nic.guestMac)"
            return [nic.vm, "slot \(nic.slot)", nic.network, nic.promisc.rawValue, "\(change)\(guest)", "(\(nic.why))"]
        }
        let header = ["VM", "slot", "network", "policy", "registered in VirtualBox, and in the guest", "why"]
        var lines = ["lab \(lab), strategy \(strategy.rawValue)"] + TextTable.render([header] + rows)
        for b in bridges {
            var line = "\(b.vm) bridge \(b.name): ports slots \(b.portSlots.map(String.init).joined(separator: ","))"
            if let ip = b.ip, let mac = b.mac { line += ", address \(ip), MAC \(mac)" } else { line += ", no address" }
            if b.stp { line += ", stp on" }
            lines.append(line)
        }
        lines += [
            "", "keep: the NIC keeps its own MAC.  register M: VirtualBox registers M on the NIC (the MAC of the host",
            "behind a bridge port), and the guest gives the port its own guest MAC.  deny: the NIC receives only",
            "frames for its registered MAC; allow-vms: every frame on its internal network (promiscuous).",
        ]
        return lines.joined(separator: "\n")
    }
}

extension PlannedNIC {
    /// The reason for this NIC's registration, in a network engineer's words.
    public var why: String {
        func names(_ sample: [EndpointRef], _ count: Int) -> String {
            sample.map(\.description).joined(separator: ", ") + (count > sample.count ? ", …" : "")
        }
        switch role {
        case .endpoint: return "endpoint \(ip?.description ?? "")"
        case .idle: return "no address and not a bridge port"
        case .emptyPort: return "port of \(bridge ?? "?"); nothing lies behind it"
        case .swapped(let e): return "\(e) lies behind this port of \(bridge ?? "?")"
        case .promiscuous(let count, let sample):
            return "\(count) endpoints lie behind this port of \(bridge ?? "?"): \(names(sample, count))"
        case .unchanged(let count, let sample):
            return "strategy none: frames for \(names(sample, count)) behind this port are dropped"
        }
    }
}
