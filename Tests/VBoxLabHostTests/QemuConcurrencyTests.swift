import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Two commands on one QEMU lab at once, with real QEMU: the lock is taken before the
/// record is read, so afterwards there is one lab or none, and destroy leaves no QEMU, tap,
/// socket, overlay or namespace of it.
extension QemuIntegrityTests {
    static func atOnce(_ q: QemuPlace, _ commands: [[String]]) -> [CLI.Run?] {
        VBoxLabHostTests.atOnce(commands) { try? q.run($0) }
    }

    /// create then destroy work whatever the commands left, and destroy leaves nothing. A lab
    /// left as VirtualBox gives it (--strategy none) with its VMs running is one create rightly
    /// refuses to restart: the create --restart it names brings it to the plan.
    static func expectCreateThenDestroyClean(_ q: QemuPlace, _ context: String) throws {
        var create = try q.run(["create", q.lab, "--provider", "qemu", "--no-setup"])
        if create.status == 1 && create.stderr.contains("vboxlab create \(q.lab) --restart") {
            create = try q.run(["create", q.lab, "--provider", "qemu", "--no-setup", "--restart"])
        }
        #expect(create.status == 0, "\(context): create after: \(create.stderr)")
        #expect(q.qemuPids().count == 3, "\(context): \(q.qemuPids())")
        let destroy = try q.run(["destroy", q.lab])
        #expect(destroy.status == 0, "\(context): destroy after: \(destroy.stderr)")
        let left = Self.leftovers(q, vms: ["centos-1", "centos-2", "centos-3"], slots: [2, 3])
        #expect(left.isEmpty, "\(context): destroy left \(left)")
    }

    @Test func twoQemuCreatesAtOnceMakeOneLab() throws {
        let q = try QemuPlace(lab: "vq-two", bundled: "bridge-lab")
        defer { q.cleanup() }
        let create = ["create", q.lab, "--provider", "qemu", "--no-setup"]
        let runs = Self.atOnce(q, [create, create])
        for run in runs {
            let r = try #require(run)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        }
        #expect(
            runs.compactMap { $0?.stdout }.filter { $0.contains("is already as planned; nothing changed") }.count == 1,
            "\(runs.compactMap { $0?.stdout })")
        #expect(q.qemuPids().count == 3, "\(q.qemuPids())")
        try Self.expectCreateThenDestroyClean(q, "two creates")
    }

    @Test func qemuCreateBesideDestroyLeavesOneOrNone() throws {
        let q = try QemuPlace(lab: "vq-cd", bundled: "bridge-lab")
        defer { q.cleanup() }
        for round in 0..<2 {
            #expect(try q.run(["create", q.lab, "--provider", "qemu", "--no-setup"]).status == 0)
            let create = ["create", q.lab, "--provider", "qemu", "--no-setup"]
            let destroy = ["destroy", q.lab]
            let order = round == 0 ? [create, destroy] : [destroy, create]
            for (command, run) in zip(order, Self.atOnce(q, order)) {
                let r = try #require(run)
                #expect(r.status == 0, "\(command): \(r.stdout)\(r.stderr)")
            }
            // Whole (3 QEMUs) or gone (none): never a QEMU the record does not know.
            let record = FileManager.default.fileExists(atPath: "\(q.place.state)/vboxlab/labs/\(q.lab).json")
            #expect(q.qemuPids().count == (record ? 3 : 0), "round \(round): record \(record), \(q.qemuPids())")
            try Self.expectCreateThenDestroyClean(q, "round \(round)")
        }
    }

    /// Random pairs of commands at once on one QEMU lab, 50 seeded runs: afterwards create
    /// then destroy always succeed and nothing of the lab is left.
    @Test func randomPairsOfQemuCommandsNeverOrphan() throws {
        let q = try QemuPlace(lab: "vq-rand", bundled: "bridge-lab")
        defer { q.cleanup() }
        let commands: [[String]] = [
            ["create", q.lab, "--provider", "qemu", "--no-setup"], ["fix-macs", q.lab, "--no-setup", "--restart"],
            ["destroy", q.lab], ["status", q.lab],
            ["create", q.lab, "--provider", "qemu", "--no-setup", "--strategy", "none"],
        ]
        var generator = SplitMix64(seed: 2612)
        for run in 0..<50 {
            if Bool.random(using: &generator) { _ = try q.run(commands[0]) }
            let pair = [commands.randomElement(using: &generator)!, commands.randomElement(using: &generator)!]
            let runs = Self.atOnce(q, pair)
            for (command, r) in zip(pair, runs) {
                let r = try #require(r)
                // Refusals are answers (fix-macs of no lab, a busy lock): a crash or a signal is not.
                #expect(r.status <= 4, "run \(run): \(command): \(r.status) \(r.stderr)")
            }
            let record = FileManager.default.fileExists(atPath: "\(q.place.state)/vboxlab/labs/\(q.lab).json")
            if !record { #expect(q.qemuPids().isEmpty, "run \(run) \(pair): no record, yet \(q.qemuPids())") }
            Self.expectSwitchOwned(q, "run \(run) \(pair)", runs: runs)
            if run % 10 == 9 { try Self.expectCreateThenDestroyClean(q, "run \(run) \(pair)") }
        }
        try Self.expectCreateThenDestroyClean(q, "the end")
    }

    /// A switch namespace on the host is one the lab's record owns (by identity, or by name
    /// while pending); when it is not, everything that could say why: the record, the mounts
    /// under that name, and what each command of the pair printed.
    static func expectSwitchOwned(_ q: QemuPlace, _ context: String, runs: [CLI.Run?]) {
        let name = SwitchNames(lab: q.lab).namespace
        guard HostNamespaces.namespaces().contains(name) else { return }
        let path = "\(q.place.state)/vboxlab/labs/\(q.lab).json"
        let record = (try? LabStore(directory: "\(q.place.state)/vboxlab/labs").record(q.lab)) ?? nil
        guard !HostNamespaces.owned(by: record, existing: [name]).contains(name) else { return }
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        let mounts = ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
            .split(separator: "\n").filter { $0.contains("/run/netns") }.joined(separator: "\n")
        let said = runs.map { "[\($0?.status ?? -1)] \($0?.stdout ?? "")\($0?.stderr ?? "")" }
        Issue.record(
            """
            \(context): \(name) (identity \(HostNamespaces.identity(name) ?? "none")) is not the record's
            record: \(text)
            mounts: \(mounts)
            \(said.joined(separator: "\n---\n"))
            """)
    }
}
