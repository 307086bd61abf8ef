import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A lab built with `--strategy` is that lab afterwards: `check` plans with the strategy it was
/// built with and its fixes keep it, and `ssh-setup` leaves the guests as that build set them
/// up. A lab of the test's own (`vs-…`), in namespaces.
@Suite(.enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct BuiltStrategyTests {
    @Test func checkAndSetupPlanAsTheLabWasBuilt() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vs-built"]) }
        try place.write("vs-built.json5", bundled: "bridge-lab", name: "vs-built")
        #expect(try place.run(["create", "--provider", "netns", "--strategy", "promisc"]).status == 0)
        let spec = try LabLoader.load("\(place.dir)/vs-built.json5")
        let promisc = try Solver.plan(spec, strategy: .promisc).nic(NICRef(vm: "centos-2", slot: 2))!.guestMac
        let own = try Solver.plan(spec, strategy: nil).nic(NICRef(vm: "centos-2", slot: 2))!.guestMac
        #expect(promisc != own, "the two plans must differ for this test to say anything")
        // The guests are as the promisc build set them up: nothing to change, MACs kept.
        let setup = try place.run(["ssh-setup", "centos-2"])
        #expect(setup.stdout == "centos-2: already set up; nothing changed\n", "\(setup.stdout)\(setup.stderr)")
        let mac = try place.run(["ssh", "centos-2", "--", "cat", "/sys/class/net/enp0s8/address"])
        #expect(mac.stdout == "\(promisc)\n", "\(mac.stdout)")
        #expect(try place.run(["check"]).status == 0)
        // A guest set up by hand otherwise: check's fix rebuilds with the strategy it was built with.
        _ = try place.run(["ssh", "centos-2", "--", "ip", "link", "set", "enp0s9", "nomaster"])
        let broken = try place.run(["check"])
        #expect(broken.status == 1, "\(broken.stdout)")
        let fix = try #require(CLIPlace.pasted(broken.stdout), "\(broken.stdout)")
        #expect(fix == ["create", "vs-built", "--strategy", "promisc"], "\(broken.stdout)")
        #expect(try place.run(fix).status == 0)
        #expect(try place.run(["check"]).status == 0)
        let after = try place.run(["ssh", "centos-2", "--", "cat", "/sys/class/net/enp0s8/address"])
        #expect(after.stdout == "\(promisc)\n", "\(after.stdout)")
    }
}
