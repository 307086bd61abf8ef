import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A create stopped after it made the switch, before it wrote the switch's identity, leaves a
/// pending record that names the switch by name alone. The next run adopts it; when that run
/// fails too, the switch must still be the lab's, or destroy leaves it and every later create
/// refuses it as not the lab's own (CI saw this once, under load, in the random pairs test).
extension QemuIntegrityTests {
    @Test func anAdoptedSwitchStaysTheLabsThroughAFailedRun() throws {
        let q = try QemuPlace(lab: "vq-adopt", bundled: "bridge-lab")
        defer { q.cleanup() }
        let create = ["create", q.lab, "--provider", "qemu", "--no-setup"]
        let made = try q.run(create)
        #expect(made.status == 0, "\(made.stderr)")
        // The create line says which accelerator runs the VMs: TCG is worth knowing before a slow boot.
        #expect(
            made.stderr.contains(
                "creating 3 QEMU VMs (TCG: software emulation, no working KVM here (VBOXLAB_QEMU_ACCEL))")
                || made.stderr.contains("creating 3 QEMU VMs (KVM)"), "\(made.stderr)")
        q.killQemus()
        try Self.forgetSwitchIdentity(recordPath: "\(q.place.state)/vboxlab/labs/\(q.lab).json")

        let failing = "\(q.place.dir)/qemu-fails"
        try "#!/bin/sh\necho 'qemu-fails: no machine today' >&2\nexit 1\n".write(
            toFile: failing, atomically: true, encoding: .utf8)
        chmod(failing, 0o755)
        let failed = try q.run(create, environment: ["VBOXLAB_QEMU": failing, "VBOXLAB_QEMU_ACCEL": "tcg"])
        #expect(failed.status != 0 && failed.stderr.contains("no machine today"), "\(failed.stderr)")

        let destroy = try q.run(["destroy", q.lab])
        #expect(destroy.status == 0, "\(destroy.stderr)")
        let left = Self.leftovers(q, vms: ["centos-1", "centos-2", "centos-3"], slots: [2, 3])
        #expect(left.isEmpty, "destroy left \(left)")
    }

    /// A lab made with netns is not half moved by a create with --provider qemu: refused, the
    /// namespaces untouched, no QEMU started, and the two commands that move it named.
    @Test func aLabKeepsTheProviderThatMadeIt() throws {
        let q = try QemuPlace(lab: "vq-move", bundled: "bridge-lab")
        defer {
            _ = try? q.run(["destroy", q.lab])
            q.cleanup()
        }
        #expect(try q.run(["create", q.lab, "--provider", "netns", "--no-setup"]).status == 0)
        let before = HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-vq-move-") }
        let moved = try q.run(["create", q.lab, "--provider", "qemu", "--no-setup"])
        #expect(
            moved.status == 1
                && moved.stderr.hasSuffix(
                    "error: lab vq-move was made with provider netns, not qemu; nothing was changed. To move it: "
                        + "vboxlab destroy vq-move, then vboxlab create vq-move --provider qemu\n"),
            "\(moved.stderr)")
        #expect(q.qemuPids().isEmpty)
        #expect(HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-vq-move-") } == before && before.count == 4)
    }

    /// A check right after a create: the guests cannot answer yet, and check says they are booting.
    /// A guest of recipe 3 or later may finish booting during the check's own ssh waits, so the test holds
    /// each guest's CPUs (QMP `stop`, as a loaded host would starve them) for the check to meet
    /// guests that surely have not answered yet.
    @Test func aCheckWhileGuestsBootSaysSo() throws {
        let q = try QemuPlace(lab: "vq-boot", bundled: "bridge-lab")
        defer { q.cleanup() }
        #expect(try q.run(["create", q.lab, "--provider", "qemu", "--no-setup"]).status == 0)
        let names = QemuNames(lab: q.lab, state: "\(q.place.state)/vboxlab", runtime: "\(q.runtime)/vboxlab")
        for vm in ["centos-1", "centos-2", "centos-3"] {
            #expect(QMP.execute("stop", socket: names.qmp(vm)), "QMP stop of \(vm)")
        }
        let check = try q.run(["check", q.lab])
        #expect(
            check.status == 1 && check.stdout.contains("it is still booting (its VM started "),
            "\(check.stdout)\(check.stderr)")
    }

    /// The record as a run killed between making the switch and naming it leaves it.
    static func forgetSwitchIdentity(recordPath: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: recordPath))
        var record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let owned = try #require(record["owned"] as? [[String: Any]])
        try #require(owned.contains { $0["kind"] as? String == "namespace" && $0["id"] != nil })
        record["owned"] = owned.map { o in o["kind"] as? String == "namespace" ? o.filter { $0.key != "id" } : o }
        record["pending"] = true
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: recordPath))
    }
}
