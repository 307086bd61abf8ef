import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Vagrant boxes as bases, against the real VBoxManage: a small box the test builds,
/// installed in a VAGRANT_HOME of its own and as a `.box` file.
extension VirtualBoxTests {
    /// Makes a tiny VM with a small disk and exports it as a box: `box.ovf`, its disk, and
    /// `metadata.json`, under `dir`.
    static func makeBox(_ place: VBoxPlace, in dir: String, vm: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try VBoxPlace.real([
            "createvm", "--name", vm, "--register", "--ostype", "RedHat_64", "--basefolder", "\(place.dir)/src",
        ])
        try VBoxPlace.real([
            "createmedium", "disk", "--filename", "\(place.dir)/src/\(vm).vdi", "--size", "4", "--format", "VDI",
        ])
        try VBoxPlace.real(["storagectl", vm, "--name", "SATA", "--add", "sata"])
        try VBoxPlace.real([
            "storageattach", vm, "--storagectl", "SATA", "--port", "0", "--device", "0", "--type", "hdd", "--medium",
            "\(place.dir)/src/\(vm).vdi",
        ])
        try VBoxPlace.real(["export", vm, "-o", "\(dir)/box.ovf"])
        try #"{"provider":"virtualbox"}"#.write(toFile: "\(dir)/metadata.json", atomically: true, encoding: .utf8)
    }

    /// The bases `list --json` shows, each with the labs cloned from it.
    static func bases(inListJSON text: String) throws -> [String: [String]] {
        struct Listing: Decodable {
            struct Base: Decodable {
                let name: String
                let labs: [String]
            }
            let bases: [Base]
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(text.utf8))
        return Dictionary(listing.bases.map { ($0.name, $0.labs) }, uniquingKeysWith: { a, _ in a })
    }

    /// The first lab on a box imports it once as a base with a snapshot, every VM a linked
    /// clone of it; a second lab imports nothing; destroy leaves the base, prune-bases removes it.
    @Test func vagrantBoxImportedOnceClonedLinked() throws {
        VBoxPlace.clearEarlierRun(prefixes: [
            "vb-box", "vboxlab-base-vt-tiny-", "vboxlab-base-vt-remote-", "vboxlab-base-tiny-", "vt-boxsrc",
        ])
        let place = try VBoxPlace(tag: "box")
        defer { place.cleanup() }
        let home = place.dir + "/vagrant"
        try Self.makeBox(place, in: "\(home)/boxes/vt-VAGRANTSLASH-tiny/1.2.0/virtualbox", vm: "vt-boxsrc")
        try FileManager.default.createDirectory(
            atPath: "\(home)/boxes/vt-VAGRANTSLASH-tiny/1.10.0/amd64/virtualbox", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: "\(home)/boxes/vt-VAGRANTSLASH-tiny/1.2.0/virtualbox/box.ovf",
            toPath: "\(home)/boxes/vt-VAGRANTSLASH-tiny/1.10.0/amd64/virtualbox/box.ovf")
        for f in try FileManager.default.contentsOfDirectory(
            atPath: "\(home)/boxes/vt-VAGRANTSLASH-tiny/1.2.0/virtualbox") where f.hasSuffix(".vmdk")
        {
            try FileManager.default.copyItem(
                atPath: "\(home)/boxes/vt-VAGRANTSLASH-tiny/1.2.0/virtualbox/\(f)",
                toPath: "\(home)/boxes/vt-VAGRANTSLASH-tiny/1.10.0/amd64/virtualbox/\(f)")
        }
        place.extra["VAGRANT_HOME"] = home
        func lab(_ name: String, box: String = "vt/tiny") -> String {
            #"{ name: "\#(name)", base: { box: "\#(box)" }, vms: [ { name: "\#(name)-a", nics: [ { network: "#
                + #""\#(name)", ip: "10.9.3.1/24" } ] }, { name: "\#(name)-b", nics: [ { network: "\#(name)", ip: "#
                + #""10.9.3.2/24" } ] } ] }"#
        }
        try place.write("vb-box1", text: lab("vb-box1"))
        let first = try place.run(["create", "vb-box1", "--no-setup", "--provider", "virtualbox"])
        #expect(first.status == 0, "\(first.stderr)")
        let base = "vboxlab-base-vt-tiny-1.10.0"  // the newest version, in Vagrant 2.4's architecture folder
        #expect(
            place.writes.filter { $0.hasPrefix("import ") } == [
                "import \(home)/boxes/vt-VAGRANTSLASH-tiny/1.10.0/amd64/virtualbox/box.ovf --vsys 0 --vmname \(base) "
                    + "--group /vboxlab/bases"
            ], "\(place.writes)")
        #expect(place.writes.contains("snapshot \(base) take base"))
        #expect(
            place.writes.filter { $0.hasPrefix("clonevm ") && $0.contains(" --snapshot base --options link ") }.count
                == 2)
        for (_, uuid) in try place.recorded("vb-box1") {
            let keys = try place.read(uuid).keys
            #expect(
                keys["SATA-0-0"]?.contains("/Snapshots/{") == true,
                "a linked clone's disk is a differencing image: \(keys["SATA-0-0"] ?? "none")")
        }
        place.resetCalls()
        try place.write("vb-box2", text: lab("vb-box2"))
        #expect(try place.run(["create", "vb-box2", "--no-setup", "--provider", "virtualbox"]).status == 0)
        #expect(!place.writes.contains { $0.hasPrefix("import ") || $0.hasPrefix("snapshot ") }, "\(place.writes)")
        // Only this test's base is looked at: another test's base may share the VirtualBox home.
        let list = try place.run(["list", "--json"])
        let bases = try Self.bases(inListJSON: list.stdout)
        #expect(bases[base] == ["vb-box1", "vb-box2"], "\(list.stdout)")
        #expect(!(try place.run(["prune-bases"]).stdout.contains(base)), "a base with clones is kept")
        #expect(try place.run(["destroy", "vb-box1"]).status == 0)
        #expect(try place.run(["destroy", "vb-box2"]).status == 0)
        #expect(VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).contains { $0.name == base })
        let pruned = try place.run(["prune-bases"])
        #expect(
            pruned.status == 0 && pruned.stdout.hasPrefix("removed ") && pruned.stdout.contains(base),
            "\(pruned.stdout)\(pruned.stderr)")
        #expect(!VBoxParse.vmList(try VBoxPlace.real(["list", "vms"])).contains { $0.name == base })

        // A .box file (a gzipped tar) works the same; a box nobody has is exit 4 with the fixes.
        try ProcessRunner().check(
            Command(
                "tar",
                ["-czf", "\(place.dir)/tiny.box", "-C", "\(home)/boxes/vt-VAGRANTSLASH-tiny/1.2.0/virtualbox", "."]))
        try place.write("vb-box3", text: lab("vb-box3", box: "tiny.box"))
        let file = try place.run(["create", "vb-box3", "--no-setup", "--provider", "virtualbox"])
        #expect(file.status == 0 && file.stderr.contains("vboxlab: unpacking \(place.dir)/tiny.box"), "\(file.stderr)")
        #expect(try place.run(["destroy", "vb-box3"]).status == 0)
        _ = try place.run(["prune-bases"])
        // A url, downloaded once into the cache (a file:// URL here).
        try place.write(
            "vb-box5",
            text:
                #"{ name: "vb-box5", base: { box: "vt/remote", version: "2.0", url: "file://\#(place.dir)/tiny.box" "#
                + #"}, vms: [ { name: "vb-box5-a", nics: [ { network: "vb5", ip: "10.9.5.1/24" } ] }, { name: "#
                + #""vb-box5-b", nics: [ { network: "vb5", ip: "10.9.5.2/24" } ] } ] }"#
        )
        place.resetCalls()
        let remote = try place.run(["create", "vb-box5", "--no-setup", "--provider", "virtualbox"])
        #expect(
            remote.status == 0
                && remote.stderr.contains("vboxlab: downloading the box vt/remote from file://\(place.dir)/tiny.box"),
            "\(remote.stderr)")
        #expect(
            place.writes.contains { $0.hasPrefix("import ") && $0.contains("--vmname vboxlab-base-vt-remote-2.0 ") },
            "\(place.writes)")
        #expect(try place.run(["destroy", "vb-box5"]).status == 0)
        _ = try place.run(["prune-bases"])
        try place.write("vb-box4", text: lab("vb-box4", box: "nobody/has-this"))
        let missing = try place.run(["create", "vb-box4", "--no-setup", "--provider", "virtualbox"])
        #expect(
            missing.status == 4
                && missing.stderr
                    == "error: the Vagrant box nobody/has-this (looked in \(home)/boxes) is missing: any one of: (1) "
                    + "with Vagrant, vagrant box add nobody/has-this --provider virtualbox; (2) a box file or its "
                    + "address: base: { box: \"FILE.box\" } or base: { box: \"nobody/has-this\", url: "
                    + "\"https://...\" }; (3) a VM you already have in VirtualBox, with a snapshot: base: { clone: "
                    + "\"VM\" } (vboxlab then logs in as the spec's ssh.user, root unless it says otherwise)\n",
            "\(missing.stderr)")
    }
}

extension VirtualBoxTests {
    /// prune-bases counts the clones of the snapshot's disk: a base whose linked clones live on
    /// (here, with no record naming the base any more) is kept and said to be; once they are
    /// gone it is removed.
    @Test func pruneBasesKeepsABaseWithLiveClones() throws {
        VBoxPlace.clearEarlierRun(prefixes: ["vb-prune-", "vboxlab-base-vt-prune-", "vt-prunesrc"])
        let place = try VBoxPlace(tag: "prune")
        defer { place.cleanup() }
        let home = place.dir + "/vagrant"
        try Self.makeBox(place, in: "\(home)/boxes/vt-VAGRANTSLASH-prune/1.0.0/virtualbox", vm: "vt-prunesrc")
        place.extra["VAGRANT_HOME"] = home
        try place.write(
            "vb-prune",
            text:
                #"{ name: "vb-prune", base: { box: "vt/prune" }, vms: [ { name: "vp-a", nics: [ { network: "vbp", "#
                + #"ip: "10.9.8.1/24" } ] }, { name: "vp-b", nics: [ { network: "vbp", ip: "10.9.8.2/24" } ] } ] }"#
        )
        #expect(try place.run(["create", "vb-prune", "--no-setup", "--provider", "virtualbox"]).status == 0)
        let clones = try place.recorded("vb-prune")
        #expect(try place.run(["destroy", "vb-prune", "--forget"]).status == 0)
        let kept = try place.run(["prune-bases"])
        #expect(kept.status == 0 && kept.stdout == "no base to remove\n", "\(kept.stdout)\(kept.stderr)")
        #expect(
            kept.stderr.contains("vboxlab-base-vt-prune-1.0.0: kept: 2 VM disks outside the records still build on it"),
            "\(kept.stderr)")
        for (_, uuid) in clones {
            _ = try? VBoxPlace.realRun(["controlvm", uuid, "poweroff"])
            try VBoxPlace.real(["unregistervm", uuid, "--delete"])
        }
        let pruned = try place.run(["prune-bases"])
        #expect(pruned.stdout == "removed 1 base: vboxlab-base-vt-prune-1.0.0\n", "\(pruned.stdout)\(pruned.stderr)")
    }
}

extension VirtualBoxTests {
    /// An import killed while it copied the box's disk leaves the disk in the base's folder,
    /// with no VM: VirtualBox refuses every later import (VERR_ALREADY_EXISTS). The next
    /// create removes that disk and imports; a disk anywhere else is never touched.
    @Test func anInterruptedImportsDiskIsCleared() throws {
        VBoxPlace.clearEarlierRun(prefixes: ["vb-impk-", "vboxlab-base-vt-impk-", "vt-impksrc"])
        let place = try VBoxPlace(tag: "impk")
        defer { place.cleanup() }
        let home = place.dir + "/vagrant"
        let boxDir = "\(home)/boxes/vt-VAGRANTSLASH-impk/1.0.0/virtualbox"
        try Self.makeBox(place, in: boxDir, vm: "vt-impksrc")
        place.extra["VAGRANT_HOME"] = home
        let base = "vboxlab-base-vt-impk-1.0.0"
        let folder = try Self.machineFolder() + "/vboxlab/bases/\(base)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let disk = try #require(
            try FileManager.default.contentsOfDirectory(atPath: boxDir).first { $0.hasSuffix(".vmdk") })
        try FileManager.default.copyItem(atPath: "\(boxDir)/\(disk)", toPath: "\(folder)/\(disk)")
        try place.write(
            "vb-impk",
            text:
                #"{ name: "vb-impk", base: { box: "vt/impk" }, vms: [ { name: "ik-a", nics: [ { network: "vbik", "#
                + #"ip: "10.9.9.1/24" } ] }, { name: "ik-b", nics: [ { network: "vbik", ip: "10.9.9.2/24" } ] } ] }"#
        )
        let created = try place.run(["create", "vb-impk", "--no-setup", "--provider", "virtualbox"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stderr.contains("vboxlab: removing the disk an interrupted import left ("), "\(created.stderr)")
        #expect(place.writes.filter { $0.hasPrefix("import ") }.count == 2, "\(place.writes)")
        #expect(try place.run(["destroy", "vb-impk"]).status == 0)
        #expect(try place.run(["prune-bases"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: folder), "prune-bases left \(folder)")
    }
}
