import Foundation
import Testing

@testable import VBoxLabModel

/// Random loop-free labs: a tree of internal networks joined by bridging VMs, with
/// endpoint hosts hanging on the networks, every address unique in 10.20.0.0/16.
struct RandomLab {
    var rng: SplitMix64
    private var usedAddresses = Set<UInt32>()
    private var usedMacs = Set<MACAddress>()
    private var networks: [String] = []

    static let maxEndpoints = 12

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    private mutating func address() -> IPv4CIDR {
        while true {
            let host = UInt32(rng.int(1...65534))
            if usedAddresses.insert(host).inserted { return IPv4CIDR(address: 0x0A14_0000 | host, prefix: 16) }
        }
    }

    private mutating func fixedMac() -> MACAddress? {
        guard rng.chance(0.1) else { return nil }
        while true {
            // Half of them in VirtualBox's own range, where the derived MACs live too.
            var value = rng.next() & 0xFFFF_FFFF_FFFF
            if rng.chance(0.5) { value = 0x0800_2700_0000 | (value & 0xFF_FFFF) }
            let mac = MACAddress(value & ~0x0100_0000_0000)  // clear the group bit
            if !mac.isZero, usedMacs.insert(mac).inserted { return mac }
        }
    }

    private mutating func newNetwork() -> String {
        networks.append("n\(networks.count)")
        return networks.last!
    }

    mutating func make(index: Int) -> LabSpec {
        var vms: [VMSpec] = []
        _ = newNetwork()
        for b in 0..<rng.int(0...4) {
            var nics: [NICSpec] = []
            var bridges: [BridgeSpec] = []
            var mine = Set<String>()
            func addNIC(_ network: String, ip: IPv4CIDR? = nil, mac: MACAddress? = nil) {
                nics.append(NICSpec(slot: nics.count + 2, network: network, ip: ip, mac: mac))
                mine.insert(network)
            }
            let bridgeCount = rng.chance(0.12) ? 2 : 1
            for k in 0..<bridgeCount {
                // One port on a network already in the tree, the rest on new ones: the tree stays a tree.
                let candidates = networks.filter { !mine.contains($0) }
                guard !candidates.isEmpty, nics.count < 7 else { break }
                let attach = rng.pick(candidates)
                let portCount = min(rng.int(1...4), 7 - nics.count)
                var ports = [attach]
                for _ in 1..<max(portCount, 1) { ports.append(newNetwork()) }
                rng.shuffle(&ports)
                for p in ports { addNIC(p, mac: fixedMac()) }
                bridges.append(BridgeSpec(name: "br\(k)", ports: ports, ip: rng.chance(0.25) ? address() : nil))
            }
            // Now and then an idle NIC: no address, not a port.
            let idleCandidates = networks.filter { !mine.contains($0) }
            if nics.count < 7, !idleCandidates.isEmpty, rng.chance(0.1) {
                addNIC(rng.pick(idleCandidates), mac: fixedMac())
            }
            vms.append(VMSpec(name: "b\(b)", nics: nics, bridges: bridges))
        }
        // Hosts on the networks in random order, at most `maxEndpoints` endpoints in all (pairs grow as its square).
        var hosts = 0
        var endpoints = vms.reduce(0) { $0 + $1.bridges.filter { $0.ip != nil }.count }
        var order = networks
        rng.shuffle(&order)
        for network in order {
            for _ in 0..<rng.pick([0, 0, 1, 1, 1, 2, 2, 3]) where endpoints < Self.maxEndpoints {
                endpoints += 1
                vms.append(
                    VMSpec(
                        name: "h\(hosts)", nics: [NICSpec(slot: 2, network: network, ip: address(), mac: fixedMac())]))
                hosts += 1
            }
        }
        if !vms.contains(where: { vm in vm.nics.contains { $0.ip != nil } || vm.bridges.contains { $0.ip != nil } }) {
            vms.append(VMSpec(name: "h\(hosts)", nics: [NICSpec(slot: 2, network: "n0", ip: address())]))
        }
        rng.shuffle(&vms)
        return LabSpec(name: "rand-\(index)", vms: vms, file: "t.json5")
    }
}

/// The spec as a person would write it, MACs in a random one of the accepted forms.
func json5(_ spec: LabSpec, rng: inout SplitMix64) -> String {
    func mac(_ m: MACAddress) -> String {
        switch rng.int(0...2) {
        case 0: return m.bareUpperHex
        case 1: return m.description
        default: return m.description.uppercased().replacingOccurrences(of: ":", with: "-")
        }
    }
    let vms = spec.vms.map { vm -> String in
        let nics = vm.nics.map { nic -> String in
            var members = ["network: '\(nic.network)'"]
            if let ip = nic.ip { members.append("ip: \"\(ip)\"") }
            if let m = nic.mac { members.append("mac: \"\(mac(m))\"") }
            return "{ " + members.joined(separator: ", ") + " }"
        }
        let bridges = vm.bridges.map { b -> String in
            let ports = b.ports.map { "\"\($0)\"" }.joined(separator: ", ")
            return "{ name: \"\(b.name)\", ports: [\(ports)]" + (b.ip.map { ", ip: '\($0)'" } ?? "") + " }"
        }
        return "    { name: \"\(vm.name)\", nics: [\(nics.joined(separator: ", "))]"
            + (bridges.isEmpty ? "" : ", bridges: [\(bridges.joined(separator: ", "))]") + " },"
    }
    return "// generated\n{\n  name: \"\(spec.name)\",\n  vms: [\n\(vms.joined(separator: "\n"))\n  ],\n}\n"
}

@Suite struct PropertyTests {
    static let labCount = 300
    static let chunks = 6
    /// Generated once per test run; the tests below split them into chunks that run in parallel.
    static let randomLabs = labs()

    static func labs() -> [LabSpec] {
        (0..<labCount).map { i in
            var gen = RandomLab(seed: 0x5EED_0000 &+ UInt64(i))
            return gen.make(index: i)
        }
    }

    /// The generator really makes the variety the properties are about.
    @Test func generatorCoversTheInterestingShapes() {
        let labs = Self.randomLabs
        let topologies = labs.map(Topology.init)
        let counts = topologies.flatMap { $0.behind.values.map(\.count) }
        #expect(counts.contains(0) && counts.contains(1) && counts.contains { $0 >= 2 })
        #expect(labs.contains { $0.vms.contains { $0.bridges.count == 2 } })
        #expect(labs.contains { $0.vms.contains { $0.bridges.contains { $0.ip != nil } } })
        #expect(labs.contains { $0.vms.contains { $0.bridges.contains { $0.ports.count == 4 } } })
        #expect(labs.contains { $0.vms.contains { $0.nics.contains { $0.mac != nil } } })
        #expect(labs.filter { $0.vms.allSatisfy(\.bridges.isEmpty) }.count < Self.labCount / 3)
        #expect(topologies.map { $0.endpoints.count }.max()! >= 10)
        // Same seeds, same labs.
        #expect(Self.labs() == labs)
    }

    /// Written out as JSON5, every generated lab passes validation and reads back identical.
    @Test func generatedLabsValidateAndReadBack() throws {
        var rng = SplitMix64(seed: 42)
        for spec in Self.randomLabs {
            let text = json5(spec, rng: &rng)
            do {
                let back = try parseSpec(text, file: "t.json5")
                #expect(back == spec, "\(spec.name) did not read back:\n\(text)")
            } catch {
                Issue.record("\(spec.name) refused: \(error.explanation)\n\(text)")
            }
            #expect(!Topology(spec).hasLoops, "\(spec.name)")
        }
    }

    @Test(arguments: 0..<chunks) func everyStrategyOnRandomLabs(chunk: Int) throws {
        var pings = 0
        for spec in Self.randomLabs.enumerated().filter({ $0.offset % Self.chunks == chunk }).map(\.element) {
            let topology = Topology(spec)
            let crowded = Set(topology.behind.filter { $0.value.count >= 2 }.keys)
            for strategy in Strategy.allCases {
                let plan: RegistrationPlan
                do { plan = try Solver.plan(spec, strategy: strategy) } catch {
                    guard strategy == .macSwap, case .lab(.unmeetable(let lab, let conflicts)) = error else {
                        Issue.record("\(spec.name) \(strategy): \(error)")
                        continue
                    }
                    #expect(lab == spec.name)
                    #expect(!crowded.isEmpty, "\(spec.name): mac-swap refused with no crowded port")
                    #expect(Set(conflicts.map { NICRef(vm: $0.vm, slot: $0.slot) }) == crowded, "\(spec.name)")
                    for c in conflicts {
                        let behind = topology.behind[NICRef(vm: c.vm, slot: c.slot)]!
                        #expect(c.count == behind.count && c.behind.map(\.holder) == behind.sample.map(\.description))
                    }
                    #expect(error.exitCode == 1)
                    continue
                }
                if strategy == .macSwap {
                    #expect(crowded.isEmpty, "\(spec.name): mac-swap planned with crowded ports \(crowded)")
                }
                checkPlanShape(plan, spec: spec, topology: topology)
                let state = LabState(plan: plan)
                let model = FrameModel(state)
                for (a, b, ip) in subnetPairs(state) {
                    pings += 1
                    let trace = model.ping(from: a, to: b, target: ip)
                    switch strategy {
                    case .none:
                        if separatedByBridge(a, b, plan) {
                            #expect(!trace.ok, "\(spec.name) none: \(a) → \(b) should fail")
                        } else {
                            #expect(trace.ok, "\(spec.name) none: \(a) → \(b) share a network")
                        }
                    default:
                        #expect(
                            trace.ok, "\(spec.name) \(strategy): \(a) → \(b) lost \(String(describing: trace.lost))")
                    }
                }
            }
        }
        #expect(pings > 3_000)
    }

    /// Per NIC: what the plan gives it follows from what lies behind it.
    private func checkPlanShape(_ plan: RegistrationPlan, spec: LabSpec, topology: Topology) {
        let specNICs = spec.vms.flatMap { vm in vm.nics.map { NICRef(vm: vm.name, slot: $0.slot) } }
        #expect(plan.nics.map(\.ref) == specNICs)
        #expect(plan.bridges.count == spec.vms.reduce(0) { $0 + $1.bridges.count })

        // Derived and fixed MACs, bridge MACs and swapped guest MACs: all distinct.
        let distinct =
            plan.nics.map(\.ownMac) + plan.bridges.compactMap(\.mac)
            + plan.nics.filter { $0.guestMac != $0.ownMac }.map(\.guestMac)
        #expect(Set(distinct).count == distinct.count, "\(plan.lab) \(plan.strategy): duplicate MACs")
        #expect(distinct.allSatisfy { !$0.isMulticast && !$0.isZero })
        for vm in spec.vms {
            for nic in vm.nics where nic.mac != nil {
                #expect(plan.nic(NICRef(vm: vm.name, slot: nic.slot))?.ownMac == nic.mac)
            }
        }

        for nic in plan.nics {
            guard let behind = topology.behind[nic.ref] else {
                #expect(
                    nic.mac == nic.ownMac && nic.guestMac == nic.ownMac && nic.promisc == .deny && nic.bridge == nil)
                continue
            }
            #expect(nic.bridge == topology.portBridge[nic.ref]?.name)
            switch (plan.strategy, behind.count) {
            case (_, 0), (.none, _):
                #expect(nic.mac == nic.ownMac && nic.guestMac == nic.ownMac && nic.promisc == .deny)
            case (.promisc, _), (.auto, 2...):
                #expect(nic.mac == nic.ownMac && nic.guestMac == nic.ownMac && nic.promisc == .allowVMs)
            default:
                let endpointMac: MACAddress? =
                    switch behind.single! {
                    case .nic(let n): plan.nic(n)?.ownMac
                    case .bridge(let b): plan.bridges.first { $0.vm == b.vm && $0.name == b.name }?.mac
                    }
                #expect(nic.mac == endpointMac && nic.promisc == .deny)
                #expect(nic.guestMac != nic.mac && nic.guestMac.isLocallyAdministered && !nic.guestMac.isMulticast)
            }
        }
    }
}
