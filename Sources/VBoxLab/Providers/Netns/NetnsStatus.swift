extension NetnsObserver.Observation {
    /// lab-spec §6, every value as read from the kernel.
    public func statusJSON(lab: String) -> JSONOut {
        .object([
            ("lab", .string(lab)), ("provider", .string("netns")),
            ("vms", .array(state.vms.filter { exists && ($0.running || !$0.nics.isEmpty) }.map { vm in
                .object([
                    ("name", .string(vm.name)), ("state", .string(vm.running ? "running" : "missing")),
                    ("namespace", .optional(namespaces[vm.name])),
                    ("nics", .array(vm.nics.map { n in
                        .object([("slot", .int(n.slot)), ("network", .string(n.network)), ("interface", .optional(n.interface)),
                                 ("mac", .string(n.registeredMac.description)), ("guestMac", .optional(n.guestMac?.description)),
                                 ("promisc", .string(n.promisc.rawValue)), ("up", .bool(n.linkUp)),
                                 ("addresses", .array(n.addresses.map { .string($0.description) })), ("bridge", .optional(n.bridge))])
                    })),
                    ("bridges", .array(vm.bridges.map { b in
                        .object([("name", .string(b.name)), ("mac", .string(b.mac.description)), ("up", .bool(b.up)),
                                 ("addresses", .array(b.addresses.map { .string($0.description) }))])
                    })),
                ])
            })),
            ("switches", .array(switches.map { s in
                .object([("network", .string(s.network)), ("namespace", .string(NetnsNames(lab: lab).switchNamespace)), ("bridge", .string(s.bridge))])
            })),
        ])
    }

    /// For people: one line per NIC.
    public var statusText: String {
        guard exists else { return "lab \(state.lab) does not exist (netns)" }
        var rows: [[String]] = [["VM", "state", "slot", "network", "interface", "registered", "guest MAC", "policy", "link", "addresses"]]
        for vm in state.vms {
            if vm.nics.isEmpty { rows.append([vm.name, vm.running ? "running" : "missing", "", "", "", "", "", "", "", ""]) }
            for n in vm.nics {
                rows.append([vm.name, vm.running ? "running" : "missing", String(n.slot), n.network, n.interface ?? "-", n.registeredMac.description,
                             n.guestMac?.description ?? "-", n.promisc.rawValue, n.linkUp ? "up" : "down",
                             (n.addresses.map(\.description) + (n.bridge.map { ["port of \($0)"] } ?? [])).joined(separator: " ")])
            }
            for b in vm.bridges {
                rows.append([vm.name, "", "", "", b.name, "", b.mac.description, "", b.up ? "up" : "down", b.addresses.map(\.description).joined(separator: " ")])
            }
        }
        return TextTable.render(rows).joined(separator: "\n")
    }
}
