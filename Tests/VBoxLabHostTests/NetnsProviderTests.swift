import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

@Test func namespaceTestsRunWhereRequired() {
    if NetnsGate.required { #expect(NetnsGate.reason == nil, "VBOXLAB_REQUIRE_NETNS=1 but: \(NetnsGate.reason ?? "")") }
}

@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct NetnsProviderTests {
    /// The seed lab with the default strategy: the kernel's own ping crosses the bridge both ways.
    @Test func seedLabPingsBothWays() throws {
        let lab = NetnsLab(try renamedLab("bridge-lab", as: "vt-seed"))
        defer { lab.destroy() }
        let outcome = try lab.provider.create(try lab.plan(), setup: true)
        #expect(outcome.created)
        #expect(lab.ping(from: "centos-1", "1.1.1.10", to: "1.1.1.20"))
        #expect(lab.ping(from: "centos-3", "1.1.1.20", to: "1.1.1.10"))
        // A second create converges: nothing to change.
        let again = try lab.provider.create(try lab.plan(), setup: true)
        #expect(!again.created && again.changes.isEmpty)
        // The switch sends nothing of its own: none of its links has an IPv6 address to send from.
        let sw = lab.names.switchNamespace
        let v6 = try ProcessRunner().check(Command("ip", ["-n", sw, "-6", "-o", "addr", "show"])).stdout
        #expect(v6.isEmpty, "\(v6)")
        let off = try ProcessRunner().check(
            Command("ip", ["netns", "exec", sw, "cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6"]))
        #expect(off.stdout == "1\n")
    }

    /// The three facts of a registering switch: strategy none fails; fix-macs passes; the
    /// mac-swap without the guest port MACs fails again (the bridge takes the hosts' MACs as its own).
    @Test func theThreeFactsOfTheRegisteringSwitch() throws {
        let lab = NetnsLab(try renamedLab("bridge-lab", as: "vt-facts"))
        defer { lab.destroy() }
        _ = try lab.provider.create(try lab.plan(Strategy.none), setup: true)
        #expect(!lab.ping(from: "centos-1", "1.1.1.10", to: "1.1.1.20"))
        #expect(!lab.ping(from: "centos-3", "1.1.1.20", to: "1.1.1.10"))
        let none = try lab.check(Strategy.none)
        #expect(none.reached == 0 && none.results.allSatisfy { $0.diagnosis?.cause == .unregisteredMac })

        let changes = try lab.provider.converge(try lab.plan(.macSwap))
        #expect(changes.contains { $0.contains("register") })
        #expect(lab.ping(from: "centos-1", "1.1.1.10", to: "1.1.1.20"))
        #expect(lab.ping(from: "centos-3", "1.1.1.20", to: "1.1.1.10"))

        // Put the ports' guest MACs back to their registered MACs, as a guest left alone would have them.
        let plan = try lab.plan(.macSwap)
        for port in plan.nics(of: "centos-2") {
            try lab.inVM(
                "centos-2",
                ["link", "set", "dev", GuestInterfaceName.forSlot(port.slot), "address", port.mac.description])
        }
        for vm in ["centos-1", "centos-3"] { try lab.inVM(vm, ["neigh", "flush", "all"]) }
        #expect(!lab.ping(from: "centos-1", "1.1.1.10", to: "1.1.1.20"))
        #expect(!lab.ping(from: "centos-3", "1.1.1.20", to: "1.1.1.10"))
    }

    /// Every bundled lab builds, passes check, and leaves nothing behind after destroy.
    @Test(arguments: bundledLabs) func bundledLabCreateCheckDestroy(lab name: String) throws {
        let testName = "vt-" + String(name.prefix(12)).replacingOccurrences(of: "-lab", with: "")
        let lab = NetnsLab(try renamedLab(name, as: testName))
        defer { lab.destroy() }
        _ = try lab.provider.create(try lab.plan(), setup: true)
        let report = try lab.check()
        #expect(report.total > 0)
        #expect(report.allPassed, "\(report.text(fixes: FixCommands(lab: "x", provider: nil)))")
        let removed = try lab.provider.destroy()
        #expect(removed.count == lab.spec.vms.count + 1)
        #expect(lab.record == nil)
        #expect(lab.leftovers.isEmpty)
        let links = try ProcessRunner().check(Command("ip", ["-o", "link", "show"])).stdout
        #expect(
            !links.contains("vs0@")
                && !links.contains(lab.names.switchPort(NICRef(vm: lab.spec.vms[0].name, slot: 2)) + "@"))
    }

    /// status reads registrations and policies from the switch, guest MACs from the VMs.
    @Test func statusReadsTheKernel() throws {
        let lab = NetnsLab(try renamedLab("two-hosts-lab", as: "vt-status"))
        defer { lab.destroy() }
        let plan = try lab.plan()
        _ = try lab.provider.create(plan, setup: true)
        // Change the switch behind vboxlab's back: status must show it, not the plan.
        let port = lab.names.switchPort(NICRef(vm: "mid", slot: 3))
        try ProcessRunner().check(
            Command("bridge", ["-n", lab.names.switchNamespace, "link", "set", "dev", port, "flood", "off"]))
        let observation = try lab.observe()
        for planned in plan.nics {
            let seen = try #require(observation.state.nic(planned.ref))
            #expect(seen.registeredMac == planned.mac)
            #expect(seen.guestMac == planned.guestMac)
            #expect(seen.interface == GuestInterfaceName.forSlot(planned.slot))
            #expect(seen.promisc == (planned.ref == NICRef(vm: "mid", slot: 3) ? .deny : planned.promisc))
        }
        let json = observation.statusJSON.rendered()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["provider"] as? String == "netns")
        let vms = try #require(object["vms"] as? [[String: Any]])
        #expect(vms.map { $0["name"] as? String } == ["left-1", "left-2", "mid", "right"])
        #expect(vms[0]["namespace"] as? String == "vbl-vt-status-left-1")
        #expect((object["switches"] as? [[String: Any]])?.count == 2)
    }

    /// A namespace of the lab's name that the lab did not make: refused before anything is
    /// made, naming it, and left alone.
    @Test func foreignNamespaceIsRefusedBeforeAnythingIsMade() throws {
        let lab = NetnsLab(try renamedLab("bridge-lab", as: "vt-clash"))
        defer { lab.destroy() }
        try ProcessRunner().check(Command("ip", ["netns", "add", "vbl-vt-clash-centos-3"]))
        do {
            _ = try lab.provider.create(try lab.plan(), setup: true)
            Issue.record("create should have failed")
        } catch let error as VBoxLabError {
            #expect(error.exitCode == 1)
            #expect(
                error.explanation.hasPrefix(
                    "error: lab vt-clash would use namespaces that already exist and are not its own: "
                        + "vbl-vt-clash-centos-3 (not made by vboxlab for lab vt-clash); nothing was changed."
                ))
        }
        #expect(lab.leftovers == ["vbl-vt-clash-centos-3"])
        #expect(lab.record == nil)
    }

    /// A refused call half-way through create (the switch batch): exit 3 with the command,
    /// and nothing of that run left, neither namespaces nor record.
    @Test func failedCreateLeavesNothingBehind() throws {
        let faulty = FaultyRunner {
            $0.program == "ip" && $0.arguments.starts(with: ["-n", "vbl-vt-fail-sw", "-batch"])
        }
        let lab = NetnsLab(try renamedLab("bridge-lab", as: "vt-fail"), runner: faulty)
        defer { lab.destroy() }
        do {
            _ = try lab.provider.create(try lab.plan(), setup: true)
            Issue.record("create should have failed")
        } catch let error as VBoxLabError {
            #expect(error.exitCode == 3)
            #expect(
                error.explanation
                    == "error: command failed (exit 2): ip -n vbl-vt-fail-sw -batch -\n    injected failure")
        }
        #expect(lab.leftovers.isEmpty)
        #expect(lab.record == nil)
    }

    /// SIGTERM in the middle of create: the handler deletes what that run made, exit 143.
    @Test func sigtermDuringCreateLeavesNothingBehind() throws {
        try HostNeighbourLimits.keepingThem { try sigtermDuringCreateLeavesNothingBehindBody() }
    }

    /// A lab of 120 endpoints raises the neighbour-table limits; a stopped run may leave them raised.
    func sigtermDuringCreateLeavesNothingBehindBody() throws {
        let binary = try #require(CLI.executable, "no built vboxlab")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vt-sig-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hosts = (0..<120).map {
            #"{ name: "h\#($0)", nics: [ { network: "sig", ip: "10.6.\#($0 / 200).\#($0 % 200 + 1)/16" } ] }"#
        }
        let file = dir.appendingPathComponent("vt-sig.json5").path
        try Data("{ name: \"vt-sig\", vms: [\(hosts.joined(separator: ",\n"))] }".utf8).write(
            to: URL(fileURLWithPath: file))
        let lab = NetnsLab(try LabLoader.load(file))
        defer { lab.destroy() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["create", file, "--provider", "netns"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "XDG_STATE_HOME": dir.path + "/state", "XDG_RUNTIME_DIR": dir.path + "/run",
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the run has made something, then stop it.
        let deadline = Date().addingTimeInterval(20)
        while lab.leftovers.isEmpty && process.isRunning && Date() < deadline { usleep(2_000) }
        #expect(!lab.leftovers.isEmpty, "create made no namespace before it ended")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(lab.leftovers.isEmpty, "left behind: \(lab.leftovers)")
        // Nothing of the lab remains: no record, and no lock file either.
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/state/vboxlab/labs/vt-sig.json"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/run/vboxlab/vt-sig.lock"))
    }

    /// The README's main command (`vboxlab create bridge-lab`, netns where VirtualBox is absent) as a person runs
    /// it from the package root: the seed lab is created, passes its check, converges on a
    /// second run and is removed. The lab is the seed renamed (vt-readme), in a copy of the
    /// package's labs directory, with a state directory of the test's own: nothing of the
    /// user's labs is read or touched.
    @Test func readmeMainCommandPasses() throws {
        let dir = try CLI.tempDir().path
        let env = ["XDG_STATE_HOME": dir + "/state", "XDG_RUNTIME_DIR": dir + "/run"]
        let lab = NetnsLab(try renamedLab("bridge-lab", as: "vt-readme"))
        defer {
            _ = try? CLI.run(["destroy", "vt-readme", "--provider", "netns"], cwd: dir, env: env)
            lab.destroy()
            try? FileManager.default.removeItem(atPath: dir)
        }
        try FileManager.default.createDirectory(atPath: dir + "/labs", withIntermediateDirectories: true)
        let seed = try String(contentsOfFile: "\(packageRoot)/labs/bridge-lab.json5", encoding: .utf8)
        try seed.replacingOccurrences(of: "name: \"bridge-lab\"", with: "name: \"vt-readme\"").write(
            toFile: dir + "/labs/vt-readme.json5", atomically: true, encoding: .utf8)

        let r = try CLI.run(["create", "vt-readme", "--provider", "netns"], cwd: dir, env: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("vt-readme: 2 of 2 pairs reached"), "\(r.stdout)")
        #expect(
            lab.leftovers == [
                "vbl-vt-readme-centos-1", "vbl-vt-readme-centos-2", "vbl-vt-readme-centos-3", "vbl-vt-readme-sw",
            ])
        let again = try CLI.run(["create", "vt-readme", "--provider", "netns"], cwd: dir, env: env)
        #expect(
            again.status == 0 && again.stdout.hasPrefix("lab vt-readme is already as planned; nothing changed"),
            "\(again.stdout)")
        let gone = try CLI.run(["destroy", "vt-readme", "--provider", "netns"], cwd: dir, env: env)
        #expect(
            gone.status == 0 && gone.stdout == "removed lab vt-readme: 4 namespaces\n", "\(gone.stdout)\(gone.stderr)")
        #expect(lab.leftovers.isEmpty)
    }
}
