import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// VirtualBox labs never lose track of a VM: against the real VBoxManage, with the shim
/// failing, answering as a restarting VBoxSVC, or being interrupted at chosen calls.
extension VirtualBoxTests {
    /// The lab's VMs as VirtualBox lists them now, by UUID.
    static func listed() throws -> Set<String> {
        Set(VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).map(\.uuid))
    }

    static func record(_ place: VBoxPlace, _ lab: String) throws -> LabRecord? {
        try LabStore(directory: "\(place.dir)/state/vboxlab/labs").record(lab)
    }

    /// An undo that cannot delete a VM keeps the record: the VM stays the lab's, `list` says the
    /// lab needs destroy, and destroy removes it once VirtualBox lets it.
    @Test func failedRollbackKeepsTheRecord() throws {
        let place = try VBoxPlace(tag: "strand")
        defer { place.cleanup() }
        try place.write("vb-strand", bundled: "bridge-lab")
        let before = try Self.listed()
        place.fail = "^(startvm|unregistervm)"
        let r = try place.run(["create", "vb-strand", "--no-setup", "--provider", "virtualbox"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("the record keeps them: vboxlab destroy vb-strand removes them"), "\(r.stderr)")
        let record = try #require(try Self.record(place, "vb-strand"))
        #expect(Set(record.stranded ?? []) == ["centos-1", "centos-2", "centos-3"])
        let left = try Self.listed().subtracting(before)
        #expect(Set(record.owned.compactMap(\.id)) == left && left.count == 3)
        let list = try place.run(["list"])
        #expect(
            list.stdout.contains(
                "needs destroy: an undo could not delete centos-1, centos-2, centos-3 (vboxlab destroy vb-strand)"),
            "\(list.stdout)")
        place.fail = nil
        let destroy = try place.run(["destroy", "vb-strand"])
        #expect(
            destroy.status == 0 && destroy.stdout == "removed lab vb-strand: 3 VMs\n",
            "\(destroy.stdout)\(destroy.stderr)")
        #expect(try Self.listed() == before)
    }

    /// Appliances: a failed import of the second VM leaves no VM of the lab and no record, the
    /// first one found by the unique name it was imported under.
    @Test func failedImportLeavesNothing() throws {
        let place = try VBoxPlace(tag: "impf")
        defer { place.cleanup() }
        try VBoxPlace.real(["export", place.base, "-o", "\(place.dir)/base.ova"])
        try place.write(
            "vb-impf",
            text:
                #"{ name: "vb-impf", base: { import: "base.ova" }, vms: [ { name: "i-a", nics: [ { network: "vbi", "#
                + #"ip: "10.9.3.1/24" } ] }, { name: "i-b", nics: [ { network: "vbi", ip: "10.9.3.2/24" } ] }, { "#
                + #"name: "i-c", nics: [ { network: "vbi", ip: "10.9.3.3/24" } ] } ] }"#
        )
        let before = try Self.listed()
        place.fail = "^import .*--vmname vboxlab-import-vb-impf-i-b-"
        let r = try place.run(["create", "vb-impf", "--no-setup", "--provider", "virtualbox"])
        #expect(r.status == 3, "\(r.stderr)")
        let left = try Self.listed().subtracting(before)
        let names = VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).filter { left.contains($0.uuid) }.map(\.name)
        #expect(left.isEmpty, "left: \(names) after \(place.calls)")
        #expect(try Self.record(place, "vb-impf") == nil)
    }

    /// destroy deletes a recorded UUID only when VirtualBox shows that VM in the lab's group:
    /// another lab's VM written into the record is left, and named.
    @Test func destroyChecksTheGroup() throws {
        let place = try VBoxPlace(tag: "own")
        defer { place.cleanup() }
        try place.write(
            "vb-own-a",
            text:
                #"{ name: "vb-own-a", base: { clone: "\#(place.base)" }, vms: [ { name: "oa", nics: [ { network: "#
                + #""vbown", ip: "10.9.5.1/24" } ] }, { name: "ob", nics: [ { network: "vbown", ip: "10.9.5.2/24" } ] "#
                + #"} ] }"#
        )
        try place.write(
            "vb-own-b",
            text:
                #"{ name: "vb-own-b", base: { clone: "\#(place.base)" }, vms: [ { name: "oc", nics: [ { network: "#
                + #""vbown2", ip: "10.9.6.1/24" } ] }, { name: "od", nics: [ { network: "vbown2", ip: "10.9.6.2/24" } "#
                + #"] } ] }"#
        )
        #expect(try place.run(["create", "vb-own-a", "--no-setup", "--provider", "virtualbox"]).status == 0)
        #expect(try place.run(["create", "vb-own-b", "--no-setup", "--provider", "virtualbox"]).status == 0)
        let other = try place.recorded("vb-own-b")["oc"]!
        var record = try #require(try Self.record(place, "vb-own-a"))
        record.owned.append(OwnedObject(kind: .vm, name: "intruder", id: other))
        try LabStore(directory: "\(place.dir)/state/vboxlab/labs").save(record)
        // A create that converges deletes VMs the spec dropped, but never that one.
        place.resetCalls()
        let converge = try place.run(["create", "vb-own-a", "--no-setup", "--provider", "virtualbox"])
        #expect(converge.status == 0, "\(converge.stderr)")
        #expect(try Self.listed().contains(other), "create deleted another lab's VM: \(place.calls)")
        #expect(
            !place.calls.contains { $0.hasPrefix("unregistervm \(other)") || $0.hasPrefix("modifyvm \(other)") },
            "\(place.calls)")
        let destroy = try place.run(["destroy", "vb-own-a"])
        #expect(destroy.status == 0 && destroy.stdout == "removed lab vb-own-a: 2 VMs\n", "\(destroy.stdout)")
        #expect(
            destroy.stderr.contains(
                "not deleting \(other): it is VM vb-own-b-oc in group /vboxlab/vb-own-b, not in lab vb-own-a's group "
                    + "/vboxlab/vb-own-a"
            ), "\(destroy.stderr)")
        #expect(try Self.listed().contains(other))
    }

    /// A VM that fix-macs --restart shut down is started again when the change fails, and a
    /// VM an earlier, killed run left shut down is started by the next run.
    @Test func restartAlwaysStartsAgain() throws {
        let place = try VBoxPlace(tag: "rst")
        defer { place.cleanup() }
        try place.write("vb-rst", bundled: "bridge-lab")
        #expect(
            try place.run(["create", "vb-rst", "--no-setup", "--provider", "virtualbox", "--strategy", "none"]).status
                == 0)
        let centos2 = try place.recorded("vb-rst")["centos-2"]!
        place.fail = "^modifyvm \(centos2) --macaddress"
        let failed = try place.run(["fix-macs", "vb-rst", "--restart", "--no-setup"])
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(
            FileManager.default.fileExists(atPath: "\(place.dir)/shim/running/\(centos2)"),
            "centos-2 was left powered off")
        place.fail = nil

        // As a killed run leaves it: powered off, and written down as stopped to be changed.
        _ = try ProcessRunner().run(Command(VBoxGate.shim, ["controlvm", centos2, "poweroff"], environment: place.env))
        var record = try #require(try Self.record(place, "vb-rst"))
        record.stopped = ["centos-2"]
        try LabStore(directory: "\(place.dir)/state/vboxlab/labs").save(record)
        let again = try place.run(["fix-macs", "vb-rst", "--restart", "--no-setup"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            again.stderr.contains(
                "vboxlab: centos-2: started again (an earlier run shut it down to change it and was stopped)"),
            "\(again.stderr)")
        #expect(again.stdout.contains("  started VM centos-2 again\n"), "\(again.stdout)")
        #expect(FileManager.default.fileExists(atPath: "\(place.dir)/shim/running/\(centos2)"))
        #expect(try Self.record(place, "vb-rst")?.stopped == nil)
        #expect(try place.run(["destroy", "vb-rst"]).status == 0)
    }

    /// VBoxSVC restarting under load answers "Failed to create the VirtualBox object" and does
    /// nothing: such answers are tried again, and the create succeeds.
    @Test func transientAnswersAreRetried() throws {
        let place = try VBoxPlace(tag: "trans")
        defer { place.cleanup() }
        try place.write("vb-trans", bundled: "bridge-lab")
        place.extra["VBOXLAB_SHIM_TRANSIENT"] = "3"
        let r = try place.run(["create", "vb-trans", "--no-setup", "--provider", "virtualbox"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(place.calls.count >= 3 + 4 + 9, "the three answers that failed are not in the log")
        place.extra["VBOXLAB_SHIM_TRANSIENT"] = nil
        // Writes turned away once each ("The object is not ready") are made again, and said.
        place.resetCalls()
        place.extra["VBOXLAB_SHIM_TRANSIENT_ON"] = "^(clonevm|startvm) "
        try place.write("vb-trans2", bundled: "bridge-lab")
        let w = try place.run(["create", "vb-trans2", "--no-setup", "--provider", "virtualbox"])
        #expect(w.status == 0, "\(w.stderr)")
        #expect(
            w.stderr.contains(
                "vboxlab: VirtualBox answered \"The object is not ready\" to clonevm; trying again in 0.5 s"),
            "\(w.stderr)")
        let clones = place.calls.filter { $0.hasPrefix("clonevm ") }
        let starts = place.calls.filter { $0.hasPrefix("startvm ") }
        #expect(
            clones.count == 6 && Set(clones).count == 3 && starts.count == 6 && Set(starts).count == 3, "\(place.calls)"
        )
        #expect(try place.recorded("vb-trans2").count == 3)
        place.extra["VBOXLAB_SHIM_TRANSIENT_ON"] = nil
        #expect(try place.run(["destroy", "vb-trans2"]).status == 0)
        #expect(try place.run(["destroy", "vb-trans"]).status == 0)
    }

    /// A clone killed half-way leaves a settings file VirtualBox never registered: the next
    /// create of that lab clears it (it is the VM the record named) and builds the lab.
    @Test func staleCloneIsClearedByTheNextCreate() throws {
        let place = try VBoxPlace(tag: "stale")
        defer { place.cleanup() }
        try place.write("vb-stale", bundled: "bridge-lab")
        let folder = try VBoxPlace.real(["list", "systemproperties"]).split(separator: "\n")
            .first { $0.hasPrefix("Default machine folder:") }.map {
                $0.dropFirst("Default machine folder:".count).trimmingCharacters(in: .whitespaces)
            }
        let stale = UUID().uuidString.lowercased()
        // What the test leaves unregistered goes even when an expectation fails on the way.
        let leftover = try Self.machineFolder() + "/vb-stale-centos-1"
        defer { try? FileManager.default.removeItem(atPath: leftover) }
        try VBoxPlace.real([
            "createvm", "--name", "vb-stale-centos-1", "--uuid", stale, "--register", "--basefolder",
            try #require(folder),
        ])
        try VBoxPlace.real(["unregistervm", stale])
        let record = LabRecord(
            lab: "vb-stale", spec: "\(place.dir)/vb-stale.json5", provider: "virtualbox",
            vms: ["centos-1", "centos-2", "centos-3"],
            owned: [OwnedObject(kind: .vm, name: "centos-1", id: stale)], pending: true)
        try LabStore(directory: "\(place.dir)/state/vboxlab/labs").save(record)
        let r = try place.run(["create", "vb-stale", "--no-setup", "--provider", "virtualbox"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("removing what an interrupted run left of a VM"), "\(r.stderr)")
        #expect(try place.run(["destroy", "vb-stale"]).status == 0)
        #expect(!(try VBoxPlace.realRun(["showvminfo", stale])).succeeded)
    }

    /// A destroy killed between the two halves of `unregistervm --delete` leaves a VM that
    /// VirtualBox no longer lists, its files still in the lab's group folder, where the next
    /// clone of that VM must move: create clears them (the settings name the lab's VM and
    /// group) and builds the lab, and so does destroy, so nothing of the VM is left.
    @Test func unregisteredVMsFilesAreClearedByCreateAndDestroy() throws {
        let place = try VBoxPlace(tag: "orph")
        defer { place.cleanup() }
        try place.write("vb-orph", bundled: "bridge-lab")
        let lab = try Self.labFolder("vb-orph")
        defer { try? FileManager.default.removeItem(atPath: lab) }
        func orphan() throws -> String {
            let r = try place.run(["create", "vb-orph", "--no-setup"])
            #expect(r.status == 0, "\(r.stderr)")
            let id = try #require(try Self.record(place, "vb-orph")?.owned.first { $0.name == "centos-2" }?.id)
            try? FileManager.default.removeItem(atPath: "\(place.dir)/shim/running/\(id)")
            try VBoxPlace.real(["unregistervm", id])
            #expect(FileManager.default.fileExists(atPath: "\(lab)/vb-orph-centos-2/vb-orph-centos-2.vbox"))
            return id
        }
        let first = try orphan()
        let again = try place.run(["create", "vb-orph", "--no-setup"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            again.stderr.contains("removing what an interrupted run left of a VM (")
                && again.stderr.contains("/vboxlab/vb-orph/vb-orph-centos-2/vb-orph-centos-2.vbox)"), "\(again.stderr)")
        #expect(!(try VBoxPlace.realRun(["showvminfo", first])).succeeded)
        #expect(try place.run(["destroy", "vb-orph"]).status == 0)
        let second = try orphan()
        let destroy = try place.run(["destroy", "vb-orph"])
        #expect(
            destroy.status == 0 && (destroy.stdout + destroy.stderr).contains("removed lab vb-orph: 3 VMs"),
            "\(destroy.stdout)\(destroy.stderr)")
        #expect(!(try VBoxPlace.realRun(["showvminfo", second])).succeeded)
        #expect(((try? FileManager.default.subpathsOfDirectory(atPath: lab)) ?? []).isEmpty)
    }

    /// A VM a killed create had cloned (under the lab's prefixed name) but not yet put in the
    /// lab's group is still the lab's: destroy deletes it rather than dropping the record.
    /// A clone starts in its base's group: in no group for a user's VM, in the bases' group
    /// for a box's base.
    @Test func destroyDeletesAVMCaughtBeforeItsGroup() throws {
        let place = try VBoxPlace(tag: "pend")
        defer { place.cleanup() }
        try place.write("vb-pend", bundled: "bridge-lab")
        let plain = UUID().uuidString.lowercased()
        let fromBox = UUID().uuidString.lowercased()
        try VBoxPlace.real(["createvm", "--name", "vb-pend-centos-1", "--uuid", plain, "--register"])
        try VBoxPlace.real([
            "createvm", "--name", "vb-pend-centos-2", "--uuid", fromBox, "--groups", VagrantBox.baseGroup, "--register",
        ])
        var record = LabRecord(
            lab: "vb-pend", spec: "\(place.dir)/vb-pend.json5", provider: "virtualbox",
            vms: ["centos-1", "centos-2", "centos-3"],
            owned: [
                OwnedObject(kind: .vm, name: "centos-1", id: plain),
                OwnedObject(kind: .vm, name: "centos-2", id: fromBox),
            ], pending: true)
        record.prefix = "vb-pend"
        try LabStore(directory: "\(place.dir)/state/vboxlab/labs").save(record)
        let r = try place.run(["destroy", "vb-pend"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("not deleting"), "\(r.stderr)")
        for uuid in [plain, fromBox] {
            #expect(!(try VBoxPlace.realRun(["showvminfo", uuid])).succeeded, "the VM \(uuid) outlived destroy")
            _ = try? VBoxPlace.realRun(["unregistervm", uuid, "--delete"])
        }
    }
}
