import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// check's causes, each provoked by hand in real namespaces, as a person breaks a lab.
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct DiagnosisTests {
    func pair(_ report: CheckReport, _ from: String, _ to: String) throws -> PairResult {
        try #require(report.results.first { $0.pair.from.vm == from && $0.pair.to.vm == to })
    }

    @Test func noneFailsWithUnregisteredMacOnTheFarNetwork() throws {
        let lab = NetnsLab(try renamedLab("bridge-lab", as: "vd-none"))
        defer { lab.destroy() }
        let plan = try lab.plan(Strategy.none)
        _ = try lab.provider.create(plan, setup: true)
        let report = try lab.check(Strategy.none)
        let a = plan.nic(NICRef(vm: "centos-1", slot: 2))!.mac
        let c = plan.nic(NICRef(vm: "centos-3", slot: 2))!.mac
        let ac = try pair(report, "centos-1", "centos-3")
        let ca = try pair(report, "centos-3", "centos-1")
        #expect(!ac.ok && ac.diagnosis?.cause == .unregisteredMac)
        #expect(
            ac.diagnosis?.reason
                == "centos-3's ARP reply to \(a) (centos-1) is dropped on intnet-2: no NIC there is registered with "
                + "that MAC and none may be promiscuous"
        )
        #expect(!ca.ok && ca.diagnosis?.cause == .unregisteredMac)
        #expect(
            ca.diagnosis?.reason
                == "centos-1's ARP reply to \(c) (centos-3) is dropped on intnet-1: no NIC there is registered with "
                + "that MAC and none may be promiscuous"
        )
        for r in [ac, ca] {
            let seen = try #require(try lab.capture(r, Strategy.none))
            #expect(seen.frame == .arpReply && seen.agrees, "\(seen)")
        }
        #expect(try lab.capture(ac, Strategy.none)?.place == .network("intnet-2"))
        let json = report.json.rendered()
        #expect(json.contains("\"cause\":\"unregistered-mac\""))
    }

    @Test func portsLeftWithTheHostsMacsClash() throws {
        let lab = NetnsLab(try renamedLab("bridge-lab", as: "vd-clash"))
        defer { lab.destroy() }
        let plan = try lab.plan(.macSwap)
        _ = try lab.provider.create(plan, setup: true)
        for port in plan.nics(of: "centos-2") {
            try lab.inVM(
                "centos-2",
                ["link", "set", "dev", GuestInterfaceName.forSlot(port.slot), "address", port.mac.description])
        }
        let report = try lab.check(.macSwap)
        #expect(report.reached == 0)
        let ac = try pair(report, "centos-1", "centos-3")
        let a = plan.nic(NICRef(vm: "centos-1", slot: 2))!.mac
        #expect(ac.diagnosis?.cause == .guestMacClash)
        let reason = ac.diagnosis?.reason ?? ""
        #expect(
            reason.contains("centos-2's bridge br0") && reason.contains("enp0s9") && reason.contains("\(a) (centos-1)"),
            "\(reason)")
        let seen = try #require(try lab.capture(ac, .macSwap))
        #expect(seen.agrees && seen.place == .vm("centos-2"), "\(seen)")
    }

    @Test func linkDownBridgeMissingAndAddressRemovedAreGuestNotSetUp() throws {
        let lab = NetnsLab(try renamedLab("bridge-lab", as: "vd-setup"))
        defer { lab.destroy() }
        _ = try lab.provider.create(try lab.plan(), setup: true)
        #expect(try lab.check().allPassed)

        try lab.inVM("centos-1", ["link", "set", "dev", "enp0s8", "down"])
        var r = try pair(try lab.check(), "centos-1", "centos-3")
        #expect(!r.ok && r.diagnosis?.cause == .guestNotSetUp)
        #expect(r.diagnosis?.reason.contains("enp0s8 down") == true, "\(r.diagnosis?.reason ?? "")")
        var seen = try #require(try lab.capture(r))
        #expect(seen.agrees && seen.place == .vm("centos-1"), "\(seen)")
        try lab.inVM("centos-1", ["link", "set", "dev", "enp0s8", "up"])

        try lab.inVM("centos-2", ["link", "del", "br0"])
        r = try pair(try lab.check(), "centos-1", "centos-3")
        #expect(!r.ok && r.diagnosis?.cause == .guestNotSetUp)
        #expect(
            r.diagnosis?.reason.contains("centos-2") == true && r.diagnosis?.reason.contains("br0") == true,
            "\(r.diagnosis?.reason ?? "")")
        seen = try #require(try lab.capture(r))
        #expect(seen.agrees && seen.place == .vm("centos-2"), "\(seen)")
        _ = try lab.provider.converge(try lab.plan())
        #expect(try lab.check().allPassed)

        try lab.inVM("centos-3", ["addr", "del", "1.1.1.20/24", "dev", "enp0s8"])
        r = try pair(try lab.check(), "centos-1", "centos-3")
        #expect(!r.ok && r.diagnosis?.cause == .guestNotSetUp)
        #expect(r.diagnosis?.reason.contains("1.1.1.20") == true, "\(r.diagnosis?.reason ?? "")")
        seen = try #require(try lab.capture(r))
        #expect(seen.agrees && seen.place == .vm("centos-3"), "\(seen)")
    }

    @Test func hubPortSwitchedToDenyFailsOnlyThePairsThroughIt() throws {
        let lab = NetnsLab(try renamedLab("hub-lab", as: "vd-hub"))
        defer { lab.destroy() }
        _ = try lab.provider.create(try lab.plan(), setup: true)
        let port = lab.names.switchPort(NICRef(vm: "hub", slot: 2))  // the hub's port on hub-1, where h1 is
        try ProcessRunner().check(
            Command("bridge", ["-n", lab.names.switchNamespace, "link", "set", "dev", port, "flood", "off"]))
        let report = try lab.check()
        for r in report.results {
            let throughH1 = r.pair.from.vm == "h1" || r.pair.to.vm == "h1"
            #expect(r.ok == !throughH1, "\(r.pair.from.vm) → \(r.pair.to.vm)")
            if throughH1 {
                #expect(r.diagnosis?.cause == .unregisteredMac)
                #expect(r.diagnosis?.reason.contains("dropped on hub-1") == true, "\(r.diagnosis?.reason ?? "")")
            }
        }
        #expect(report.reached == 2 && report.total == 6)
        let failing = try #require(report.results.first { $0.pair.from.vm == "h2" && $0.pair.to.vm == "h1" })
        let seen = try #require(try lab.capture(failing))
        #expect(seen.agrees && seen.place == .network("hub-1"), "\(seen)")
    }
}
