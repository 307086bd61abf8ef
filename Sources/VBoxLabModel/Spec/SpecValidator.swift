/// The checks that span fields: names unique, MACs and addresses used once, bridge
/// ports that exist and belong to one bridge, no loop without STP, at least one endpoint.
struct SpecValidator {
    var walker: SpecWalker

    mutating func validate(_ spec: LabSpec) {
        var vmNames: [String: Int] = [:]
        var macs: [MACAddress: String] = [:]
        var addresses: [UInt32: String] = [:]
        var endpoints = 0
        for (v, vm) in spec.vms.enumerated() {
            let vmPath = "vms[\(v)]"
            if !vm.name.isEmpty {
                if let first = vmNames[vm.name] {
                    walker.error("\(vmPath).name", "\(quoted(vm.name)) is already the name of vms[\(first)]")
                } else {
                    vmNames[vm.name] = v
                }
            }
            for (n, nic) in vm.nics.enumerated() {
                let nicPath = "\(vmPath).nics[\(n)]"
                if let mac = nic.mac {
                    if let owner = macs[mac] {
                        walker.error("\(nicPath).mac", "\(mac) is already the MAC of \(owner)")
                    } else {
                        macs[mac] = nicPath
                    }
                }
                if let ip = nic.ip {
                    if let owner = addresses[ip.address] {
                        walker.error("\(nicPath).ip", "\(ip.ip) is already the address of \(owner)")
                    } else {
                        addresses[ip.address] = nicPath
                    }
                    endpoints += 1
                }
            }
            for (b, bridge) in vm.bridges.enumerated() {
                if let ip = bridge.ip {
                    let path = "\(vmPath).bridges[\(b)]"
                    if let owner = addresses[ip.address] {
                        walker.error("\(path).ip", "\(ip.ip) is already the address of \(owner)")
                    } else {
                        addresses[ip.address] = path
                    }
                    endpoints += 1
                }
            }
            validateInterfaces(of: vm, at: vmPath)
            validateBridges(of: vm, at: vmPath)
        }
        if endpoints == 0 && !spec.vms.isEmpty {
            walker.error("vms", "the lab has no endpoint: give at least one NIC or bridge an ip")
        }
        LoopFinder.report(in: spec, to: &walker)
    }

    /// A guest cannot have two interfaces of one name: a NIC's `interface` must differ from the
    /// other NICs' own, and from the names the guest gives the slots of NICs without one.
    private mutating func validateInterfaces(of vm: VMSpec, at vmPath: String) {
        var owner: [String: Int] = [:]
        for (n, nic) in vm.nics.enumerated() where nic.interface == nil {
            owner[GuestInterfaceName.forSlot(nic.slot)] = n
        }
        for (n, nic) in vm.nics.enumerated() {
            guard let name = nic.interface else { continue }
            if let other = owner[name], other != n {
                let whose =
                    vm.nics[other].interface == nil
                    ? "the name the guest gives nics[\(other)] (slot \(vm.nics[other].slot))"
                    : "already the interface of nics[\(other)]"
                walker.error("\(vmPath).nics[\(n)].interface", "\(quoted(name)) is \(whose)")
            } else {
                owner[name] = n
            }
        }
    }

    private mutating func validateBridges(of vm: VMSpec, at vmPath: String) {
        var portOwner: [String: String] = [:]
        var names: [String: Int] = [:]
        let interfaceNames = Set(vm.nics.compactMap(\.interface))
        for (b, bridge) in vm.bridges.enumerated() {
            let path = "\(vmPath).bridges[\(b)]"
            if !bridge.name.isEmpty {
                if let first = names[bridge.name] {
                    walker.error("\(path).name", "\(quoted(bridge.name)) is already the name of bridges[\(first)]")
                } else {
                    names[bridge.name] = b
                }
                if interfaceNames.contains(bridge.name) {
                    walker.error(
                        "\(path).name", "\(quoted(bridge.name)) is also the interface name of one of \(vm.name)'s NICs")
                }
            }
            for (p, network) in bridge.ports.enumerated() {
                let portPath = "\(path).ports[\(p)]"
                let nics = vm.nics.enumerated().filter { $0.element.network == network }
                if nics.isEmpty {
                    let have = vm.nics.map(\.network).filter { !$0.isEmpty }
                    walker.error(
                        portPath,
                        "\(quoted(network)) is not a network of \(vm.name)'s NICs (it has "
                            + "\(have.isEmpty ? "none" : have.joined(separator: ", ")))"
                    )
                    continue
                }
                if nics.count > 1 {
                    walker.error(
                        portPath,
                        "\(vm.name) has \(nics.count) NICs on \(quoted(network)) "
                            + "(\(nics.map { "nics[\($0.offset)]" }.joined(separator: ", "))), so the port is ambiguous"
                    )
                    continue
                }
                if let other = portOwner[network] {
                    walker.error(portPath, "the NIC on \(quoted(network)) is already a port of bridge \(other)")
                    continue
                }
                portOwner[network] = bridge.name
                let (n, nic) = nics[0]
                if nic.ip != nil {
                    walker.error(
                        "\(vmPath).nics[\(n)].ip",
                        "the NIC on \(quoted(network)) is a port of bridge \(bridge.name), so it cannot have an "
                            + "address; give the bridge the address (\(path).ip)"
                    )
                }
            }
        }
    }
}

/// Finds a loop made only of bridges without STP: union-find over the bridge-network
/// edges; an edge that joins two already-joined nodes closes a loop.
enum LoopFinder {
    static func report(in spec: LabSpec, to walker: inout SpecWalker) {
        var parent: [String: String] = [:]
        func find(_ x: String) -> String {
            var root = x
            var path: [String] = []
            while let p = parent[root] {
                path.append(root)
                root = p
            }
            for node in path { parent[node] = root }
            return root
        }
        var edges: [(String, String)] = []
        for (v, vm) in spec.vms.enumerated() {
            for (b, bridge) in vm.bridges.enumerated() where !bridge.stp {
                let node = "\(vm.name)/\(bridge.name)"
                var seen = Set<String>()
                for network in bridge.ports
                where seen.insert(network).inserted && vm.nics.contains(where: { $0.network == network }) {
                    let netNode = "net:" + network
                    let (a, c) = (find(node), find(netNode))
                    if a == c {
                        let cycle = path(from: netNode, to: node, over: edges) + [netNode]
                        let shown = cycle.map { $0.hasPrefix("net:") ? String($0.dropFirst(4)) : $0 }
                        walker.error(
                            "vms[\(v)].bridges[\(b)]",
                            "the lab has a loop: \(shown.joined(separator: " → ")); set stp: true on one of its "
                                + "bridges, or break the loop"
                        )
                        return
                    }
                    parent[a] = c
                    edges.append((node, netNode))
                }
            }
        }
    }

    private static func path(from start: String, to goal: String, over edges: [(String, String)]) -> [String] {
        var adjacent: [String: [String]] = [:]
        for (a, b) in edges {
            adjacent[a, default: []].append(b)
            adjacent[b, default: []].append(a)
        }
        var previous: [String: String] = [start: start]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let x = queue[head]
            head += 1
            if x == goal { break }
            for y in adjacent[x, default: []] where previous[y] == nil {
                previous[y] = x
                queue.append(y)
            }
        }
        var out = [goal]
        var x = goal
        while x != start, let p = previous[x] {
            out.append(p)
            x = p
        }
        return out.reversed()
    }
}
