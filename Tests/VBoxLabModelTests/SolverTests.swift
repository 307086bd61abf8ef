import Testing

@testable import VBoxLabModel

@Suite struct SolverTests {
    static let seed = """
        { name: "bridge-lab", vms: [
          { name: "centos-1", nics: [ { network: "intnet-1", ip: "1.1.1.10/24", mac: "080027431935" } ] },
          { name: "centos-2", nics: [ { network: "intnet-1" }, { network: "intnet-2" } ],
            bridges: [ { name: "br0", ports: ["intnet-1", "intnet-2"] } ] },
          { name: "centos-3", nics: [ { network: "intnet-2", ip: "1.1.1.20/24", mac: "0800279DD011" } ] } ] }
        """

    /// The seed case of the issue: each port of centos-2 is registered with the MAC of
    /// the host on the *other* side, and carries a locally administered MAC in the guest.
    @Test func seedMacSwap() throws {
        let plan = try Solver.plan(try parseSpec(Self.seed), strategy: .macSwap)
        let p2 = try #require(plan.nic(NICRef(vm: "centos-2", slot: 2)))
        let p3 = try #require(plan.nic(NICRef(vm: "centos-2", slot: 3)))
        #expect(p3.network == "intnet-2" && p3.mac.description == "08:00:27:43:19:35")
        #expect(p2.network == "intnet-1" && p2.mac.description == "08:00:27:9d:d0:11")
        for port in [p2, p3] {
            #expect(port.guestMac.isLocallyAdministered && !port.guestMac.isMulticast)
            #expect(port.guestMac != port.mac)
            #expect(port.promisc == .deny && port.bridge == "br0")
        }
        #expect(p2.guestMac != p3.guestMac)
        #expect(plan.nic(NICRef(vm: "centos-1", slot: 2))?.guestMac.description == "08:00:27:43:19:35")
        #expect(plan.bridges.map(\.mac) == [nil])
    }

    @Test func seedUnderNoneKeepsEverything() throws {
        let plan = try Solver.plan(try parseSpec(Self.seed), strategy: Strategy.none)
        #expect(plan.nics.allSatisfy { $0.mac == $0.ownMac && $0.guestMac == $0.mac && $0.promisc == .deny })
    }

    @Test func seedUnderPromiscOpensPortsOnly() throws {
        let plan = try Solver.plan(try parseSpec(Self.seed), strategy: .promisc)
        #expect(plan.nics.map(\.promisc) == [.deny, .allowVMs, .allowVMs, .deny])
    }

    /// Derived MACs are a function of lab, VM and slot: planning twice gives the same plan.
    @Test(arguments: bundledLabs) func derivedMacsAreStableAndUnique(lab: String) throws {
        let spec = try loadBundled(lab)
        let a = try Solver.plan(spec)
        let b = try Solver.plan(try loadBundled(lab))
        #expect(a == b)
        let own = a.nics.map(\.ownMac) + a.bridges.compactMap(\.mac)
        #expect(Set(own).count == own.count)
        #expect(own.allSatisfy { $0.description.hasPrefix("08:00:27:") })
    }

    @Test func macSwapWithTwoMacsBehindIsAnErrorNamingPortAndMacs() throws {
        let spec = try loadBundled("two-hosts-lab")
        #expect(throws: VBoxLabError.self) { try Solver.plan(spec, strategy: .macSwap) }
        do { _ = try Solver.plan(spec, strategy: .macSwap) } catch {
            #expect(error.exitCode == 1)
            guard case .lab(.unmeetable(_, let conflicts)) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(conflicts.count == 1)
            let c = conflicts[0]
            #expect(c.vm == "mid" && c.slot == 3 && c.network == "two-right" && c.count == 2)
            #expect(c.behind.map(\.holder) == ["left-1", "left-2"])
            #expect(error.explanation.contains("mid slot 3 on two-right (port of br0): 2 MACs lie behind it"))
        }
    }

    /// Every bundled lab under every strategy: a plan that the solver gives lets every
    /// pair ping in the frame model, except `none`, which must fail across a bridge.
    @Test(arguments: bundledLabs) func bundledLabsUnderEveryStrategy(lab: String) throws {
        let spec = try loadBundled(lab)
        for strategy in Strategy.allCases {
            let plan: RegistrationPlan
            do { plan = try Solver.plan(spec, strategy: strategy) } catch {
                #expect(strategy == .macSwap, "\(lab) \(strategy): \(error)")
                continue
            }
            #expect(plan.nics.count == spec.vms.reduce(0) { $0 + $1.nics.count })
            let state = LabState(plan: plan)
            let model = FrameModel(state)
            let pairs = subnetPairs(state)
            #expect(!pairs.isEmpty)
            for (a, b, ip) in pairs {
                let ok = model.ping(from: a, to: b, target: ip).ok
                if strategy == .none && separatedByBridge(a, b, plan) {
                    #expect(!ok, "\(lab): \(a) → \(b) should fail under none")
                } else {
                    #expect(ok, "\(lab) \(strategy): \(a) → \(b)")
                }
            }
        }
    }

    /// The bridge-address lab: the bridge's MAC is one more MAC behind each port.
    @Test func bridgeAddressCountsBehindPorts() throws {
        let plan = try Solver.plan(try loadBundled("bridge-address-lab"))
        let ports = plan.nics.filter { $0.bridge != nil }
        #expect(ports.count == 2 && ports.allSatisfy { $0.promisc == .allowVMs })
        let bridge = try #require(plan.bridges.first)
        #expect(bridge.mac != nil && bridge.ip?.description == "10.3.0.254/24")
    }

    @Test func chainUsesMacSwapOnEveryPort() throws {
        let plan = try Solver.plan(try loadBundled("chain-lab"))
        let a = try #require(plan.nic(NICRef(vm: "a", slot: 2)))
        let c = try #require(plan.nic(NICRef(vm: "c", slot: 2)))
        let ports = plan.nics.filter { $0.bridge != nil }
        #expect(ports.count == 4)
        for port in ports {
            #expect(port.promisc == .deny)
            #expect(
                port.mac
                    == (port.network == "chain-1" || (port.vm == "br2" && port.network == "chain-2") ? c.mac : a.mac))
        }
    }
}

/// Two endpoints are separated by a bridge unless both are NICs on one internal network.
func separatedByBridge(_ a: EndpointRef, _ b: EndpointRef, _ plan: RegistrationPlan) -> Bool {
    guard case .nic(let x) = a, case .nic(let y) = b else { return true }
    return plan.nic(x)?.network != plan.nic(y)?.network
}
