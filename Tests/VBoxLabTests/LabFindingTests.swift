import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The finding rules, the provider choice, records and fix lines: pure or on temporary
/// files, no root needed.
@Suite struct LabFindingTests {
    /// A directory with its own store, and spec files written into it.
    struct Place {
        let dir: String
        let store: LabStore
        init() throws {
            dir = try CLI.tempDir().path
            store = LabStore(directory: dir + "/state/labs")
        }
        func write(
            _ path: String, lab: String,
            vms: String =
                #"{ name: "a", nics: [ { network: "n", ip: "10.9.0.1/24" } ] }, { name: "b", nics: [ { network: "#
                + #""n", ip: "10.9.0.2/24" } ] }"#
        ) throws {
            let full = "\(dir)/\(path)"
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "{ name: \"\(lab)\", vms: [ \(vms) ] }".write(toFile: full, atomically: true, encoding: .utf8)
        }
        func finder(in sub: String = "") -> LabFinder {
            LabFinder(store: store, directory: sub.isEmpty ? dir : "\(dir)/\(sub)", home: nil)
        }
        func record(_ lab: String, spec: String, vms: [String] = ["a", "b"]) throws {
            try store.save(LabRecord(lab: lab, spec: spec, provider: "netns", vms: vms))
        }
        func cleanup() { try? FileManager.default.removeItem(atPath: dir) }
    }

    @Test func aNameFindsDotSlashThenLabsThenTheRecord() throws {
        let p = try Place()
        defer { p.cleanup() }
        try p.write("labs/x.json5", lab: "x")
        #expect(try p.finder().find("x").specPath == "\(p.dir)/labs/x.json5")
        try p.write("x.json5", lab: "x")
        let found = try p.finder().find("x")
        #expect(found.specPath == "\(p.dir)/x.json5" && found.word == "x" && found.record == nil)
        // From another directory, only the record knows the lab.
        try FileManager.default.createDirectory(atPath: p.dir + "/elsewhere", withIntermediateDirectories: true)
        #expect(
            throws: VBoxLabError.labNotFound(
                name: "x", looked: ["x.json5", "labs/x.json5", "a lab recorded as x in \(p.dir)/state/labs"])
        ) {
            try p.finder(in: "elsewhere").find("x")
        }
        try p.record("x", spec: "\(p.dir)/x.json5")
        let recorded = try p.finder(in: "elsewhere").find("x")
        #expect(recorded.specPath == "\(p.dir)/x.json5" && recorded.record?.lab == "x" && recorded.spec?.name == "x")
    }

    @Test func leftOutItIsTheOneRecordedLabElseTheOneSpecHere() throws {
        let p = try Place()
        defer { p.cleanup() }
        #expect(throws: VBoxLabError.spec(.nothingToFind(command: "COMMAND"))) {
            try p.finder().find(nil)
        }
        try p.write("only.json5", lab: "only")
        #expect(try p.finder().find(nil).specPath == "\(p.dir)/only.json5")
        try p.write("labs/two.json5", lab: "two")
        #expect(
            throws: VBoxLabError.ambiguous(
                what: "lab specs in . and ./labs", candidates: ["only.json5", "labs/two.json5"],
                fix: "name one: vboxlab COMMAND LAB")
        ) {
            try p.finder().find(nil)
        }
        try p.record("two", spec: "\(p.dir)/labs/two.json5")
        #expect(try p.finder().find(nil).name == "two")
        try p.record("only", spec: "\(p.dir)/only.json5")
        #expect(
            throws: VBoxLabError.ambiguous(
                what: "labs recorded on this host",
                candidates: ["only (\(p.dir)/only.json5)", "two (\(p.dir)/labs/two.json5)"],
                fix: "name one: vboxlab COMMAND LAB")
        ) {
            try p.finder().find(nil)
        }
    }

    @Test func aSecondSpecClaimingARecordedLabIsRefusedNamingBoth() throws {
        let p = try Place()
        defer { p.cleanup() }
        try p.write("one/x.json5", lab: "x")
        try p.write("two/x.json5", lab: "x", vms: #"{ name: "c", nics: [ { network: "n", ip: "10.9.0.3/24" } ] }"#)
        try p.record("x", spec: "\(p.dir)/one/x.json5")
        #expect(
            throws: VBoxLabError.ambiguous(
                what: "spec files for lab x",
                candidates: ["\(p.dir)/one/x.json5 (the lab was created from it)", "\(p.dir)/two/x.json5 (named now)"],
                fix: "use the first, or remove the lab first (vboxlab destroy x), or give this one another name")
        ) {
            try p.finder(in: "two").find("x")
        }
        // When the recorded file is gone, the new one is followed, and the user told.
        try FileManager.default.removeItem(atPath: "\(p.dir)/one/x.json5")
        let found = try p.finder(in: "two").find("x")
        #expect(
            found.notices == [
                "lab x was created from \(p.dir)/one/x.json5, which is gone; it now follows \(p.dir)/two/x.json5"
            ])
    }

    /// The seed made from a clone's labs/ is found by name from any directory: an identical
    /// copy of its spec is the same spec, and the installed labs never compete with the record.
    @Test func aRecordedLabIsFoundByNameFromAnyDirectory() throws {
        let p = try Place()
        defer { p.cleanup() }
        try p.write("clone/labs/x.json5", lab: "x")
        try p.record("x", spec: "\(p.dir)/clone/labs/x.json5")
        // An identical copy here: one spec, the record's.
        try p.write("elsewhere/labs/x.json5", lab: "x")
        let same = try p.finder(in: "elsewhere").find("x")
        #expect(same.specPath == "\(p.dir)/clone/labs/x.json5" && same.record != nil && same.word == "x")
        // The installed labs (another version of the seed) from a directory with none: the record's.
        try p.write(
            "share/labs/x.json5", lab: "x", vms: #"{ name: "c", nics: [ { network: "n", ip: "10.9.0.3/24" } ] }"#)
        let installed = LabFinder(store: p.store, directory: "\(p.dir)/empty", home: "\(p.dir)/share")
        try FileManager.default.createDirectory(atPath: "\(p.dir)/empty", withIntermediateDirectories: true)
        let found = try installed.find("x")
        #expect(found.specPath == "\(p.dir)/clone/labs/x.json5" && found.spec?.vm(named: "a") != nil)
        // A copy here that differs is still a question only the user can answer.
        try p.write(
            "elsewhere/labs/x.json5", lab: "x", vms: #"{ name: "c", nics: [ { network: "n", ip: "10.9.0.3/24" } ] }"#)
        #expect(throws: VBoxLabError.self) { try p.finder(in: "elsewhere").find("x") }
    }

    @Test func aRecordedLabIsFoundWithoutItsSpecOnlyWhereAllowed() throws {
        let p = try Place()
        defer { p.cleanup() }
        try p.record("gone", spec: "\(p.dir)/gone.json5")
        let found = try p.finder().find("gone", allowMissingSpec: true)
        #expect(found.spec == nil && found.record?.lab == "gone")
        #expect(throws: VBoxLabError.labNotFound(name: "\(p.dir)/gone.json5", looked: ["\(p.dir)/gone.json5"])) {
            try p.finder().find("gone")
        }
        // A broken spec file of a recorded lab, named by its path.
        try "{ name: ".write(toFile: "\(p.dir)/broken.json5", atomically: true, encoding: .utf8)
        try p.record("broken", spec: "\(p.dir)/broken.json5")
        #expect(try p.finder().find("broken.json5", allowMissingSpec: true).record?.lab == "broken")
    }

    @Test func aVMFindsTheLabThatHasIt() throws {
        let p = try Place()
        defer { p.cleanup() }
        try p.write("labs/x.json5", lab: "x")
        try p.write(
            "labs/y.json5", lab: "y",
            vms:
                #"{ name: "c", nics: [ { network: "m", ip: "10.8.0.1/24" } ] }, { name: "d", nics: [ { network: "#
                + #""m", ip: "10.8.0.2/24" } ] }"#
        )
        #expect(try p.finder().find(vm: "c", lab: nil).name == "y")
        // With one lab at hand, that lab's own answer, with the near name.
        let one = try Place()
        defer { one.cleanup() }
        try one.write("labs/x.json5", lab: "x")
        #expect(throws: VBoxLabError.lab(.noSuchVM(lab: "x", vm: "e", vms: ["a", "b"]))) {
            try one.finder().find(vm: "e", lab: nil)
        }
        #expect(throws: VBoxLabError.lab(.noLabWithVM(vm: "zz", labs: ["x (a, b)", "y (c, d)"]))) {
            try p.finder().find(vm: "zz", lab: nil)
        }
        do {
            _ = try p.finder().find(vm: "zz", lab: nil)
        } catch {
            #expect(error.exitCode == 2)
            #expect(
                error.message
                    == "no lab has a VM named zz (labs recorded, or specs in . and ./labs: x (a, b); y (c, d))")
        }
        try p.record("x", spec: "\(p.dir)/labs/x.json5")
        try p.record("x2", spec: "\(p.dir)/labs/x.json5")
        #expect(
            throws: VBoxLabError.ambiguous(
                what: "labs with a VM named a",
                candidates: ["x (\(p.dir)/labs/x.json5)", "x2 (\(p.dir)/labs/x.json5)"], fix: "name one with --lab LAB")
        ) {
            try p.finder().find(vm: "a", lab: nil)
        }
    }

    struct Choice: Sendable {
        var flag: String?, env: String?, recorded: String?, vbox: Bool, netns: Bool
        var name: String, notice: Bool, named: Bool
    }
    /// `--provider`, then `VBOXLAB_PROVIDER`, then the record; a new lab: VirtualBox if found, else netns, said.
    @Test(arguments: [
        Choice(
            flag: "netns", env: "virtualbox", recorded: "virtualbox", vbox: true, netns: true, name: "netns",
            notice: false, named: true),
        Choice(
            flag: nil, env: "netns", recorded: nil, vbox: true, netns: true, name: "netns", notice: false, named: true),
        Choice(
            flag: nil, env: nil, recorded: "netns", vbox: true, netns: true, name: "netns", notice: false,
            named: false),
        Choice(
            flag: "netns", env: nil, recorded: "netns", vbox: false, netns: true, name: "netns", notice: false,
            named: false),
        Choice(
            flag: nil, env: nil, recorded: nil, vbox: true, netns: true, name: "virtualbox", notice: false, named: false
        ),
        Choice(flag: nil, env: nil, recorded: nil, vbox: false, netns: true, name: "netns", notice: true, named: true),
        Choice(
            flag: nil, env: nil, recorded: nil, vbox: false, netns: false, name: "virtualbox", notice: false,
            named: false),
        Choice(flag: nil, env: "", recorded: nil, vbox: false, netns: true, name: "netns", notice: true, named: true),
    ])
    func providerChoice(_ c: Choice) {
        let candidates = [
            ProviderChoice.Candidate(
                name: "virtualbox", summary: "VirtualBox VMs",
                availability: c.vbox ? .available : .unavailable(reason: "VBoxManage not found", fix: "install it")),
            ProviderChoice.Candidate(
                name: "netns", summary: "network namespaces",
                availability: c.netns ? .available : .unavailable(reason: "not root", fix: "run as root")),
        ]
        let d = ProviderChoice.decide(
            flag: c.flag, environment: c.env, recorded: c.recorded, lab: "l", candidates: candidates)
        #expect(d.name == c.name && d.notice.isEmpty != c.notice && d.mustBeNamed == c.named)
    }

    @Test func unknownProviderListsTheValidOnes() {
        #expect(
            throws: VBoxLabError.usage(
                message: "'netn' is not a provider (valid: virtualbox, netns, qemu); did you mean 'netns'?",
                usage: "USAGE: vboxlab <command> [LAB] --provider virtualbox|netns|qemu")
        ) {
            _ = try ProviderRegistry.make(
                "netn", context: ProviderContext(reader: RecordingRunner(), store: LabStore(directory: "/nonexistent")))
        }
    }

    /// Fix lines are argv a shell gives back unchanged: quoted where needed, `--provider` only when required.
    @Test func fixLinesAreCommands() {
        let recorded = FixCommands(lab: "bridge-lab", provider: nil)
        #expect(recorded.fixMacs == "vboxlab fix-macs bridge-lab")
        #expect(recorded.create == "vboxlab create bridge-lab")
        #expect(recorded.trace("centos-1", "centos-3") == "vboxlab check bridge-lab --pair centos-1 centos-3 --capture")
        let path = FixCommands(lab: "my labs/x.json5", provider: "netns")
        #expect(path.fixMacs == "vboxlab fix-macs 'my labs/x.json5' --provider netns")
        #expect(
            path.argv(["fix-macs", path.lab]) == ["vboxlab", "fix-macs", "my labs/x.json5", "--provider", "netns"])
    }

    /// The user's --strategy stays in the lines that build the lab; a fix for a missing registration
    /// drops a strategy of none (it registers nothing), and lines of other commands never take it.
    @Test func fixLinesKeepTheUsersStrategy() {
        let none = FixCommands(lab: "bridge-lab", provider: "qemu", strategy: Strategy.none)
        #expect(none.create == "vboxlab create bridge-lab --strategy none --provider qemu")
        #expect(
            none.build("create", ["--restart"]) == "vboxlab create bridge-lab --restart --strategy none --provider qemu"
        )
        #expect(none.fixMacs == "vboxlab fix-macs bridge-lab --provider qemu")
        #expect(none.trace("a", "b") == "vboxlab check bridge-lab --pair a b --capture --provider qemu")
        let promisc = FixCommands(lab: "bridge-lab", provider: nil, strategy: .promisc)
        #expect(promisc.fixMacs == "vboxlab fix-macs bridge-lab --strategy promisc")
        #expect(
            VBoxLabError.lab(
                .mustPowerOff(lab: "l", vms: ["b"], table: "  t", retry: promisc.build("create", ["--restart"]))
            )
            .message.hasSuffix("start them again: vboxlab create bridge-lab --restart --strategy promisc"))
    }

    /// A record survives a round trip through its file, and a missing one is nil.
    @Test func recordsRoundTrip() throws {
        let p = try Place()
        defer { p.cleanup() }
        var r = LabRecord(
            lab: "x", spec: "/s/x.json5", provider: "netns", vms: ["a"],
            owned: [OwnedObject(kind: .namespace, name: "vbl-x-a", id: "42")])
        r.pending = true
        try p.store.save(r)
        let back = try #require(try p.store.record("x"))
        #expect(back.owned == r.owned && back.pending && back.vms == ["a"] && back.spec == "/s/x.json5")
        #expect(p.store.all().map(\.lab) == ["x"])
        p.store.remove("x")
        #expect(try p.store.record("x") == nil)
    }
}
