import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A real-guest lab over days: a snapshot restored after a breaking change, put away with its
/// running state and resumed (same boot), shut down and started (a new boot, the guests set up
/// again), checked after each.
/// In the real-guest suite, one set of VMs at a time: three more guests booting beside the
/// others starve each other under TCG on two cores.
extension QemuGuestTests {
    static func bootIDs(_ q: QemuPlace) throws -> [String: String] {
        var out: [String: String] = [:]
        for vm in ["centos-1", "centos-2", "centos-3"] {
            out[vm] = try q.run(["ssh", vm, "--", "cat", "/proc/sys/kernel/random/boot_id"]).stdout
        }
        return out
    }

    static func labState(_ q: QemuPlace) throws -> String? {
        let list = try q.run(["list", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        let labs = object?["labs"] as? [[String: Any]] ?? []
        return labs.first { $0["name"] as? String == q.lab }?["state"] as? String
    }

    /// The host port of a running VM's ssh forward, read from its QEMU's command line.
    static func sshPort(_ q: QemuPlace, vm: String) throws -> Int? {
        for pid in q.qemuPids() {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard argv.contains("\(q.lab)-\(vm)") else { continue }
            return QemuMachine.parse(argv)?.sshPort
        }
        return nil
    }

    @Test func snapshotRestoreStopSaveAndStopStart() throws {
        let q = try QemuPlace(lab: "vq-days", bundled: "bridge-lab")
        defer { q.cleanup() }
        let created = try q.run(["create", q.lab, "--provider", "qemu"])
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        let first = try Self.bootIDs(q)
        #expect(first.values.allSatisfy { $0.count == 37 }, "\(first)")

        // A snapshot before a risky change; the change breaks the lab; restore brings back that
        // moment (the same boot, no setup run) and check passes.
        let before = try q.run(["snapshot", q.lab, "save", "before"])
        #expect(before.status == 0, "\(before.stdout)\(before.stderr)")
        #expect(try q.run(["exec", q.lab, "--vm", "centos-2", "--", "ip", "link", "del", "br0"]).status == 0)
        #expect(try q.run(["check", q.lab]).status == 1)
        let restored = try q.run(["snapshot", q.lab, "restore", "before"])
        #expect(restored.status == 0, "\(restored.stdout)\(restored.stderr)")
        #expect(restored.stderr.contains("centos-2: resumed from its saved state"), "\(restored.stderr)")
        #expect(!restored.stderr.contains("pushing the guest setup"), "\(restored.stderr)")
        #expect(try Self.bootIDs(q) == first)

        // --save: every VM's state into its overlay, QEMU gone, the lab saved.
        let taken = try #require(try Self.sshPort(q, vm: "centos-2"))
        let saved = try q.run(["stop", q.lab, "--save"])
        #expect(saved.status == 0, "\(saved.stdout)\(saved.stderr)")
        #expect(saved.stdout.contains("centos-2: running state saved, stopped"), "\(saved.stdout)")
        #expect(q.qemuPids().isEmpty, "\(q.qemuPids())")
        #expect(try Self.labState(q) == "saved")
        let refused = try q.run(["check", q.lab])
        #expect(refused.status == 1 && refused.stderr.contains("vboxlab start \(q.lab)"), "\(refused.stderr)")

        // Meanwhile another program takes centos-2's ssh port, and the spec gives centos-3 more
        // memory. start resumes centos-1 and centos-2 where they were (centos-2 on another port:
        // the guest never sees it), boots centos-3 (its state is of another machine) and sets
        // up that guest again; check passes.
        // Another test's VM may have taken it first (ports are given from 2222 up): held all
        // the same, which is what this part needs.
        let holder = TakenPort(taken)
        defer { holder?.release() }
        #expect(holder != nil || !LocalPort.isFree(taken), "could not take port \(taken), and nothing holds it")
        let spec = "\(q.place.dir)/labs/\(q.lab).json5"
        let text = try String(contentsOfFile: spec, encoding: .utf8)
        try text.replacingOccurrences(of: #"name: "centos-3","#, with: #"name: "centos-3", memory: 1100,"#)
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let resumed = try q.run(["start", q.lab])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("centos-2: resumed from its saved state"), "\(resumed.stderr)")
        #expect(resumed.stderr.contains("centos-2: its setup was kept while stopped"), "\(resumed.stderr)")
        #expect(try Self.sshPort(q, vm: "centos-2") != taken)
        #expect(
            resumed.stderr.contains("centos-3: its saved state is of a machine the spec has changed since; booting it"),
            "\(resumed.stderr)")
        #expect(!resumed.stderr.contains("centos-3: its setup was kept"), "\(resumed.stderr)")
        let afterResume = try Self.bootIDs(q)
        #expect(afterResume["centos-1"] == first["centos-1"] && afterResume["centos-2"] == first["centos-2"])
        #expect(afterResume["centos-3"] != first["centos-3"], "\(afterResume)")
        #expect(try Self.labState(q) == "running")
        holder?.release()

        // A plain stop: the power button; start boots every VM afresh and sets the guests up again.
        let stopped = try q.run(["stop", q.lab])
        #expect(stopped.status == 0, "\(stopped.stdout)\(stopped.stderr)")
        #expect(q.qemuPids().isEmpty, "\(q.qemuPids())")
        #expect(try Self.labState(q) == "stopped")
        let again = try q.run(["start", q.lab])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        let second = try Self.bootIDs(q)
        for vm in first.keys {
            #expect(second[vm] != afterResume[vm] && second[vm]?.count == 37, "\(vm): \(second)")
        }
        #expect(!again.stderr.contains("resumed from its saved state"), "\(again.stderr)")
        // centos-3's NIC on intnet-2 during a check: four ARP frames, as tcpdump reads them back.
        let file = "\(q.place.dir)/centos-3.pcap"
        let capture = Locked<CLI.Run?>(nil)
        let captured = Thread {
            capture.set(try? q.run(["capture", q.lab, "centos-3:2", "-c", "4", "-w", file, "arp"]))
        }
        captured.start()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: file) && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        _ = try q.run(["exec", q.lab, "--", "ip", "neigh", "flush", "all"])
        #expect(try q.run(["check", q.lab]).status == 0)
        while capture.get() == nil && Date() < deadline.addingTimeInterval(60) { Thread.sleep(forTimeInterval: 0.5) }
        #expect(capture.get()?.status == 0, "\(capture.get()?.stderr ?? "still capturing")")
        let frames = try ProcessRunner().run(Command("tcpdump", ["-r", file, "-n"])).stdout
        #expect(frames.split(separator: "\n").count == 4 && frames.contains("ARP, "), "\(frames)")
        let deleted = try q.run(["snapshot", q.lab, "delete", "before"])
        #expect(deleted.status == 0, "\(deleted.stdout)\(deleted.stderr)")
    }
}
