import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

@Test func virtualBoxTestsRunWhereRequired() {
    if VBoxGate.required {
        #expect(VBoxGate.reason == nil, "VBOXLAB_REQUIRE_VIRTUALBOX=1 but: \(VBoxGate.reason ?? "")")
    }
}

/// The VirtualBox provider against the real VBoxManage, with the shim only for running VMs.
@Suite(.serialized, .enabled(if: VBoxGate.available, "needs the real VBoxManage (scripts/virtualbox-chroot)"))
struct VirtualBoxTests {
    /// Every bundled lab: VirtualBox, as showvminfo reads it, equals the plan; a second create and a
    /// fix-macs write nothing; destroy leaves none of the lab's VMs and every other VM as it was.
    @Test(arguments: bundledLabs) func createConvergeDestroy(lab: String) throws {
        let place = try VBoxPlace(tag: "b\(lab.prefix(6))")
        defer { place.cleanup() }
        let name = "vb-" + String(lab.prefix(8))
        let file = try place.write(name, bundled: lab)
        try VBoxPlace.real([
            "createvm", "--name", "vt-bystander-\(lab.prefix(6))", "--register", "--basefolder", "\(place.dir)/vms",
        ])
        let bystander = Set(VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).map(\.uuid))

        let create = try place.run(["create", name, "--no-setup", "--provider", "virtualbox"])
        #expect(create.status == 0, "\(create.stderr)")
        #expect(
            create.stdout
                == "created lab \(name) (virtualbox): \(try LabLoader.load(file).vms.count) VMs; guest setup and "
                + "check skipped (--no-setup)\n"
        )
        let spec = try LabLoader.load(file)
        let plan = try Solver.plan(spec, strategy: nil)
        let vms = try place.recorded(name)
        #expect(Set(vms.keys) == Set(spec.vms.map(\.name)))
        // Distinct calls: a call VBoxSVC answered as restarting is made again, the same.
        #expect(Set(place.writes).count == 3 * spec.vms.count, "\(place.writes)")
        let running = VBoxParse.vmList(
            try place.run(["status"]).stdout.isEmpty
                ? ""
                : try ProcessRunner().run(Command(VBoxGate.shim, ["list", "runningvms"], environment: place.env)).stdout
        )
        #expect(Set(running.map(\.uuid)) == Set(vms.values))
        for vm in spec.vms {
            let (keys, promisc) = try place.read(vms[vm.name]!)
            #expect(keys["groups"] == "/vboxlab/\(name)" && keys["name"] == "\(name)-\(vm.name)")
            for slot in labSlots {
                if let n = plan.nic(NICRef(vm: vm.name, slot: slot)) {
                    // Internal networks carry the lab's prefix: two labs never share a wire.
                    #expect(
                        keys["nic\(slot)"] == "intnet" && keys["intnet\(slot)"] == "\(name)-\(n.network)",
                        "\(vm.name) slot \(slot)")
                    #expect(keys["macaddress\(slot)"] == n.mac.bareUpperHex, "\(vm.name) slot \(slot)")
                    #expect(promisc[slot] == n.promisc.rawValue, "\(vm.name) slot \(slot)")
                    #expect(keys["cableconnected\(slot)"] == "on")
                } else {
                    #expect(keys["nic\(slot)"] == "none", "\(vm.name) slot \(slot)")
                }
            }
            #expect(keys["Forwarding(0)"]?.hasPrefix("ssh,tcp,127.0.0.1,") == true && keys["Forwarding(1)"] == nil)
        }

        place.resetCalls()
        let again = try place.run(["create", name, "--no-setup"])
        #expect(
            again.status == 0 && again.stdout == "lab \(name) is already as planned; nothing changed\n",
            "\(again.stdout)\(again.stderr)")
        #expect(place.writes.isEmpty, "\(place.writes)")
        place.resetCalls()
        let fix = try place.run(["fix-macs", name, "--no-setup"])
        #expect(fix.status == 0 && fix.stdout.hasSuffix("nothing changed\n"))
        #expect(
            place.writes.isEmpty && place.calls.filter { !$0.hasPrefix("--version") }.count <= spec.vms.count,
            "\(place.calls)")

        let destroy = try place.run(["destroy", name])
        #expect(
            destroy.status == 0 && destroy.stdout == "removed lab \(name): \(spec.vms.count) VMs\n",
            "\(destroy.stdout)\(destroy.stderr)")
        let after = Set(VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).map(\.uuid))
        #expect(after.isDisjoint(with: vms.values))
        #expect(after == bystander)
    }

    /// The seed's story: the lab as VirtualBox gives it, then fix-macs --restart: exactly the
    /// seed's registrations, and only centos-2 shut down, changed and started again.
    @Test func seedStoryFixMacsRestart() throws {
        let place = try VBoxPlace(tag: "seed")
        defer { place.cleanup() }
        let file = try place.write("vb-seed", bundled: "bridge-lab")
        #expect(
            try place.run(["create", "vb-seed", "--no-setup", "--strategy", "none", "--provider", "virtualbox"]).status
                == 0)
        let refused = try place.run(["fix-macs", "vb-seed", "--no-setup"])
        #expect(
            refused.status == 1 && refused.stderr.contains("centos-2 must be powered off for these changes:")
                && refused.stderr.hasSuffix("vboxlab fix-macs vb-seed --restart\n"), "\(refused.stderr)")
        place.resetCalls()
        let fix = try place.run(["fix-macs", "vb-seed", "--restart", "--no-setup"])
        #expect(fix.status == 0, "\(fix.stderr)")
        // What happens as it happens is progress (stderr, prefixed); stdout is the result alone.
        let progress = fix.stderr.split(separator: "\n").map(String.init)
        #expect(!progress.isEmpty && progress.allSatisfy { $0.hasPrefix("vboxlab: ") }, "\(fix.stderr)")
        for said in ["centos-2: asked to shut down (ACPI)", "centos-2: changed", "centos-2: started again"] {
            #expect(
                progress.contains { $0.hasPrefix("vboxlab: \(said)") } && !fix.stdout.contains(said),
                "\(said): \(fix.stderr)")
        }
        let vms = try place.recorded("vb-seed")
        let seedPlan = try Solver.plan(try LabLoader.load(file), strategy: nil)
        func mac(_ slot: Int) -> String { seedPlan.nic(NICRef(vm: "centos-2", slot: slot))!.mac.bareUpperHex }
        #expect(
            place.writes == [
                "controlvm \(vms["centos-2"]!) acpipowerbutton",
                "modifyvm \(vms["centos-2"]!) --macaddress2 \(mac(2)) --macaddress3 \(mac(3))",
                "startvm \(vms["centos-2"]!) --type headless",
            ], "\(place.writes)")
        let plan = try Solver.plan(try LabLoader.load(file), strategy: nil)
        for n in plan.nics {
            let (keys, promisc) = try place.read(vms[n.vm]!)
            #expect(
                keys["macaddress\(n.slot)"] == n.mac.bareUpperHex && promisc[n.slot] == n.promisc.rawValue,
                "\(n.vm) slot \(n.slot)")
        }
        let status = try place.run(["status", "vb-seed", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["provider"] as? String == "virtualbox")
        let centos2 = try #require((object["vms"] as? [[String: Any]])?.first { $0["name"] as? String == "centos-2" })
        #expect(centos2["state"] as? String == "running")
        #expect(
            (centos2["nics"] as? [[String: Any]])?.map { $0["mac"] as? String }
                == plan.nics(of: "centos-2").map { $0.mac.description })
    }

    /// Refused before anything is made: a VM name a VM outside the lab has, a missing base, a
    /// base without snapshot; a foreign VM on a lab network is warned about.
    @Test func refusalsBeforeAnythingIsMade() throws {
        let place = try VBoxPlace(tag: "refuse")
        defer { place.cleanup() }
        // With prefix "" the spec's names are VirtualBox's: a name taken outside the lab is refused.
        try place.write("vb-ref", bundled: "bridge-lab", prefix: "")
        func labVMs() throws -> [String] {
            VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).map(\.name).filter { $0.hasPrefix("centos-") }
        }

        let other = try VBoxPlace.real([
            "createvm", "--name", "centos-1", "--register", "--basefolder", "\(place.dir)/other",
        ])
        let otherID = try #require(other.split(separator: "\n").first { $0.hasPrefix("UUID: ") }?.dropFirst(6))
        let dup = try place.run(["create", "vb-ref", "--no-setup", "--provider", "virtualbox"])
        #expect(
            dup.status == 1
                && dup.stderr.hasPrefix(
                    "error: VM name centos-1 is taken: VirtualBox already has a VM of that name outside lab vb-ref "
                        + "(UUID "
                ), "\(dup.stderr)")
        #expect(try labVMs() == ["centos-1"])
        try VBoxPlace.real(["unregistervm", String(otherID), "--delete"])  // by UUID: the name may be shared

        try place.write(
            "vb-nobase",
            text:
                #"{ name: "vb-nobase", base: { clone: "vt-no-such-base" }, vms: [ { name: "a", nics: [ { network: "#
                + #""vbn", ip: "10.9.0.1/24" } ] }, { name: "b", nics: [ { network: "vbn", ip: "10.9.0.2/24" } ] } ] }"#
        )
        let missing = try place.run(["create", "vb-nobase", "--no-setup", "--provider", "virtualbox"])
        #expect(
            missing.status == 4
                && missing.stderr
                    == "error: the base VM 'vt-no-such-base' (base of a) is missing: VirtualBox has no VM of that "
                    + "name: create or import it, or name another base in the spec\n",
            "\(missing.stderr)")

        try VBoxPlace.real(["createvm", "--name", "vt-nosnap-refuse", "--register", "--basefolder", "\(place.dir)/vms"])
        try place.write(
            "vb-nosnap",
            text:
                #"{ name: "vb-nosnap", base: { clone: "vt-nosnap-refuse" }, vms: [ { name: "a", nics: [ { network: "#
                + #""vbs", ip: "10.9.1.1/24" } ] }, { name: "b", nics: [ { network: "vbs", ip: "10.9.1.2/24" } ] } ] }"#
        )
        let nosnap = try place.run(["create", "vb-nosnap", "--no-setup", "--provider", "virtualbox"])
        #expect(
            nosnap.status == 1
                && nosnap.stderr
                    == "error: the base VM vt-nosnap-refuse has no snapshot, and a linked clone starts from one: "
                    + "take one (VBoxManage snapshot vt-nosnap-refuse take base), or set linked: false in the "
                    + "spec's base for full clones\n",
            "\(nosnap.stderr)")
        #expect(!(try place.run(["list"]).stdout.contains("vb-nosnap")))
        // Full clones need no snapshot.
        try place.write(
            "vb-nosnap",
            text:
                #"{ name: "vb-nosnap", base: { clone: "vt-nosnap-refuse", linked: false }, vms: [ { name: "a", "#
                + #"nics: [ { network: "vbs", ip: "10.9.1.1/24" } ] }, { name: "b", nics: [ { network: "vbs", ip: "#
                + #""10.9.1.2/24" } ] } ] }"#
        )
        let full = try place.run(["create", "vb-nosnap", "--no-setup", "--provider", "virtualbox"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(try place.run(["destroy", "vb-nosnap"]).status == 0)

        // A VM outside the lab on one of its internal networks: a warning that names it.
        try VBoxPlace.real(["createvm", "--name", "vt-outsider", "--register", "--basefolder", "\(place.dir)/vms"])
        try VBoxPlace.real(["modifyvm", "vt-outsider", "--nic2", "intnet", "--intnet2", "intnet-1"])
        let shared = try place.run(["create", "vb-ref", "--no-setup", "--provider", "virtualbox"])
        #expect(shared.status == 0, "\(shared.stderr)")
        #expect(shared.stderr.contains("vboxlab: warning: VM vt-outsider ("), "\(shared.stderr)")
        #expect(
            shared.stderr.contains(
                "not in lab vb-ref, is attached to internal network intnet-1 on NIC 2; it shares the lab's frames"))
    }

    /// A refused call half-way through create, then SIGTERM half-way: the VMs of that run are
    /// deleted, the base and everything else untouched, and no record is left.
    @Test func failuresMidCreateLeaveNothing() throws {
        let place = try VBoxPlace(tag: "fail")
        defer { place.cleanup() }
        try place.write("vb-fail", bundled: "hub-lab")
        let before = Set(VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).map(\.uuid))
        place.fail = "^startvm"
        let refused = try place.run(["create", "vb-fail", "--no-setup", "--provider", "virtualbox"])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(
            refused.stderr.contains("error: command failed (exit 1): \(VBoxGate.shim) startvm ")
                && refused.stderr.contains("injected failure"), "\(refused.stderr)")
        #expect(Set(VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).map(\.uuid)) == before)
        #expect(try place.run(["list", "--json"]).stdout == #"{"labs":[],"bases":[],"unreadable":[]}"# + "\n")
        place.fail = nil

        place.resetCalls()
        let binary = try #require(CLI.executable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["create", "vb-fail", "--no-setup", "--provider", "virtualbox"]
        process.currentDirectoryURL = URL(fileURLWithPath: place.dir)
        process.environment = ProcessInfo.processInfo.environment.merging(place.env) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline && !place.calls.contains(where: { $0.hasPrefix("modifyvm") }) {
            usleep(2_000)
        }
        #expect(place.calls.contains { $0.hasPrefix("clonevm") }, "SIGTERM came before any VM was made")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(Set(VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).map(\.uuid)) == before)
        // After the signal only the undo ran: no VM was cloned, changed or started once it began.
        let calls = place.calls
        if let undoStart = calls.firstIndex(where: { $0.hasPrefix("controlvm") || $0.hasPrefix("unregistervm") }) {
            let late = calls[undoStart...].filter {
                $0.hasPrefix("clonevm") || $0.hasPrefix("modifyvm") || $0.hasPrefix("startvm")
            }
            #expect(late.isEmpty, "after the undo began: \(late)")
        }
    }

    /// An appliance as the base: imported per VM into the lab's group, then configured in one call.
    @Test func importedAppliance() throws {
        let place = try VBoxPlace(tag: "ova")
        defer { place.cleanup() }
        try VBoxPlace.real(["export", place.base, "-o", "\(place.dir)/base.ova"])
        try place.write(
            "vb-ova",
            text:
                #"{ name: "vb-ova", base: { import: "base.ova" }, vms: [ { name: "ova-a", nics: [ { network: "vbo", "#
                + #"ip: "10.9.2.1/24" } ] }, { name: "ova-b", nics: [ { network: "vbo", ip: "10.9.2.2/24" } ] } ] }"#
        )
        let r = try place.run(["create", "vb-ova", "--no-setup", "--provider", "virtualbox"])
        #expect(r.status == 0, "\(r.stderr)")
        // Each import is made under a unique name of its own (found by it, never by a name another
        // lab's VM may carry), then named as the spec says in the one modifyvm.
        #expect(
            place.writes.filter {
                $0.hasPrefix("import \(place.dir)/base.ova --vsys 0 --vmname vboxlab-import-vb-ova-ova-")
            }.count == 2, "\(place.writes)")
        let vms = try place.recorded("vb-ova")
        for (name, uuid) in vms {
            let keys = try place.read(uuid).keys
            #expect(keys["name"] == "vb-ova-\(name)")
            #expect(keys["groups"] == "/vboxlab/vb-ova" && keys["intnet2"] == "vb-ova-vbo")
            // The base's ssh rule came along with the appliance and was replaced, not doubled.
            #expect(
                keys["Forwarding(0)"]?.hasPrefix("ssh,tcp,127.0.0.1,") == true
                    && keys["Forwarding(0)"] != "ssh,tcp,127.0.0.1,2222,,22" && keys["Forwarding(1)"] == nil)
        }
        #expect(try place.run(["destroy"]).stdout == "removed lab vb-ova: 2 VMs\n")
    }

    /// --dry-run runs no writing call: it prints the VBoxManage command lines instead.
    @Test func dryRunsWriteNothing() throws {
        let place = try VBoxPlace(tag: "dry")
        defer { place.cleanup() }
        try place.write("vb-dry", bundled: "bridge-lab")
        let dry = try place.run(["create", "vb-dry", "--no-setup", "--provider", "virtualbox", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(place.writes.isEmpty, "\(place.writes)")
        let lines = dry.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.filter { $0.hasPrefix("\(VBoxGate.shim) clonevm ") }.count == 3
                && lines.filter { $0.contains(" modifyvm ") }.count == 3
                && lines.filter { $0.contains(" startvm ") }.count == 3, "\(dry.stdout)")
        #expect(try place.run(["list", "--json"]).stdout == #"{"labs":[],"bases":[],"unreadable":[]}"# + "\n")

        #expect(
            try place.run(["create", "vb-dry", "--no-setup", "--strategy", "promisc", "--provider", "virtualbox"])
                .status == 0)
        place.resetCalls()
        // Without --restart a dry run still shows the restarts it would make, says so, and does none.
        let preview = try place.run(["fix-macs", "--dry-run", "--no-setup"])
        #expect(preview.status == 0 && place.writes.isEmpty, "\(preview.stderr) \(place.writes)")
        #expect(
            preview.stderr.contains(
                "centos-2: would be shut down (ACPI, then powered off after 60 s), changed and started again"),
            "\(preview.stderr)")
        #expect(
            !preview.stderr.contains("asked to shut down") && !preview.stderr.contains("centos-2: started again")
                && !preview.stderr.contains("centos-2: changed"), "\(preview.stderr)")
        #expect(preview.stdout.contains(" acpipowerbutton\n"), "\(preview.stdout)")
        let fix = try place.run(["fix-macs", "--restart", "--dry-run", "--no-setup"])
        #expect(fix.status == 0 && place.writes.isEmpty, "\(fix.stderr) \(place.writes)")
        let id = try place.recorded("vb-dry")["centos-2"]!
        #expect(
            fix.stdout.contains("\(VBoxGate.shim) controlvm \(id) acpipowerbutton\n")
                && fix.stdout.contains("\(VBoxGate.shim) modifyvm \(id) --macaddress2 ")
                && fix.stdout.contains("\(VBoxGate.shim) startvm \(id) --type headless\n"), "\(fix.stdout)")
        let destroy = try place.run(["destroy", "--dry-run"])
        #expect(destroy.status == 0 && place.writes.isEmpty)
        #expect(
            destroy.stdout.split(separator: "\n").filter { $0.contains(" unregistervm ") }.count == 3,
            "\(destroy.stdout)")
        #expect(try place.run(["status", "--json"]).stdout.contains(#""state":"running""#))
    }

    /// A policy change alone reaches running VMs through controlvm, without a restart.
    @Test func policyAloneGoesThroughControlvm() throws {
        let place = try VBoxPlace(tag: "pol")
        defer { place.cleanup() }
        try place.write("vb-pol", bundled: "bridge-lab")
        #expect(
            try place.run(["create", "vb-pol", "--no-setup", "--strategy", "none", "--provider", "virtualbox"]).status
                == 0)
        place.resetCalls()
        let fix = try place.run(["fix-macs", "--strategy", "promisc", "--no-setup"])
        #expect(fix.status == 0, "\(fix.stderr)")
        let id = try place.recorded("vb-pol")["centos-2"]!
        #expect(
            place.writes == ["controlvm \(id) nicpromisc2 allow-vms", "controlvm \(id) nicpromisc3 allow-vms"],
            "\(place.writes)")
        #expect(try place.read(id).promisc[2] == "allow-vms")
    }

    /// No VBoxManage where it is said to be: exit 4 with how to get it.
    @Test func missingVBoxManageIsExitFour() throws {
        let place = try VBoxPlace(tag: "none")
        defer { place.cleanup() }
        try place.write("vb-none", bundled: "bridge-lab")
        let r = try CLI.run(
            ["create", "vb-none", "--no-setup", "--provider", "virtualbox"], cwd: place.dir,
            env: place.env.merging(["VBOXLAB_VBOXMANAGE": "/nonexistent/VBoxManage"]) { $1 })
        #expect(
            r.status == 4
                && r.stderr
                    == "error: VBoxManage ('/nonexistent/VBoxManage') is missing: install VirtualBox or set "
                    + "VBOXLAB_VBOXMANAGE; without VirtualBox, use --provider netns\n",
            "\(r.stderr)")
    }
}
