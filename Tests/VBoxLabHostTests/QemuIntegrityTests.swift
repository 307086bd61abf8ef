import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A QEMU lab's record is never trusted past what it made: a QEMU started by a run that was
/// killed is still found and stopped, a record naming a path outside the lab or an unrelated
/// process leads to no deletion and no signal. Real QEMU (TCG), no guest boot waited for.
@Suite(.serialized, .enabled(if: QemuGate.available, "needs root, QEMU and the guest images (scripts/guest-image)"))
struct QemuIntegrityTests {
    /// What a lab leaves on the host: its QEMUs, taps, monitor sockets, folder and switch.
    static func leftovers(_ q: QemuPlace, vms: [String], slots: [Int]) -> [String] {
        var left = q.qemuPids().map { "QEMU pid \($0)" }
        let names = QemuNames(lab: q.lab, state: "\(q.place.state)/vboxlab", runtime: "\(q.runtime)/vboxlab")
        let links = (try? ProcessRunner().run(Command("ip", ["-o", "link", "show"])).stdout) ?? ""
        for vm in vms {
            for slot in slots where links.contains(" \(names.tap(vm, slot: slot)):") {
                left.append("tap \(names.tap(vm, slot: slot))")
            }
        }
        let sockets = ((try? FileManager.default.contentsOfDirectory(atPath: "\(q.runtime)/vboxlab")) ?? []).filter {
            $0.hasSuffix(".qmp")
        }
        left += sockets.map { "socket \($0)" }
        if FileManager.default.fileExists(atPath: q.qemuFolder) { left.append("folder \(q.qemuFolder)") }
        if HostNamespaces.namespaces().contains(SwitchNames(lab: q.lab).namespace) { left.append("switch namespace") }
        return left
    }

    /// SIGKILL at moments spread over a create (before, during and after each QEMU starts:
    /// here each QEMU daemonizes about 0.1 s after it is run, the whole create takes 0.6 s),
    /// then the user's `destroy`: nothing of the lab is left.
    @Test func sigkillAtAnyStepOfCreateThenDestroyLeavesNothing() throws {
        let q = try QemuPlace(lab: "vq-kill", bundled: "bridge-lab")
        defer { q.cleanup() }
        let binary = try #require(CLI.executable)
        let env = q.place.env.merging(["XDG_RUNTIME_DIR": q.runtime, "SWIFT_BACKTRACE": "enable=no"]) { $1 }
        for delay in ["0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.5", "0.7", "1.5"] {
            // `timeout -s KILL` kills vboxlab alone: its children lead process groups of their own.
            let killed = try ProcessRunner().run(
                Command(
                    "timeout",
                    [
                        "-s", "KILL", delay, "env", "-C", q.place.dir, binary,
                        "create", q.lab, "--provider", "qemu", "--no-setup",
                    ], environment: env, timeout: 120))
            let destroy = try q.run(["destroy", q.lab])
            #expect(destroy.status == 0, "after a kill at \(delay) s (exit \(killed.status)): \(destroy.stderr)")
            let left = Self.leftovers(q, vms: ["centos-1", "centos-2", "centos-3"], slots: [2, 3])
            #expect(left.isEmpty, "a kill at \(delay) s (exit \(killed.status)), then destroy, left \(left)")
            q.killQemus()
        }
    }

    /// A record edited to name a folder outside the lab, and a process that is no QEMU of the
    /// lab: `list` does not count the process, `destroy` neither signals it nor deletes the folder.
    @Test func aHostileRecordLeadsToNoDeletionAndNoSignal() throws {
        let q = try QemuPlace(lab: "vq-trust", bundled: "bridge-lab")
        defer { q.cleanup() }
        let state = "\(q.place.state)/vboxlab"
        let victim = ("\(state)/qemu/vq-trust/../../../../victim" as NSString).standardizingPath
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
        try "keep me".write(toFile: "\(victim)/file", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: victim) }
        // A stranger: a process of this test's own, named in the record by its real pid and start time.
        // (In the background of a shell that ends at once, its output on /dev/null: nothing of
        // it holds the test's pipes, and the test kills it by its pid.)
        let started = try ProcessRunner().run(Command("sh", ["-c", "sleep 600 </dev/null >/dev/null 2>&1 & echo $!"]))
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(pid, SIGKILL) }
        let stranger = try #require(QemuProcess.current(pid: Int(pid)))
        var record = LabRecord(
            lab: "vq-trust", spec: "\(q.place.dir)/labs/vq-trust.json5", provider: "qemu",
            vms: ["centos-1", "centos-2", "centos-3"])
        record.owned = [
            OwnedObject(kind: .qemuVM, name: "centos-1", id: stranger.identity),
            OwnedObject(kind: .qemuVM, name: "../../../../victim", id: nil),
            OwnedObject(kind: .qemuDisk, name: "centos-2", id: "\(victim)/file"),
        ]
        try LabStore(directory: "\(state)/labs").save(record)

        let list = try q.run(["list", "--json"])
        #expect(list.stdout.contains("\"running\":0"), "\(list.stdout)\(list.stderr)")
        let destroy = try q.run(["destroy", "vq-trust"])
        #expect(destroy.status == 0, "\(destroy.stderr)")
        #expect(destroy.stderr.contains("left ../../../../victim alone"), "\(destroy.stderr)")
        #expect(stranger.isAlive, "destroy signalled a process that is no QEMU of the lab")
        #expect(FileManager.default.fileExists(atPath: "\(victim)/file"), "destroy deleted outside the lab")
    }

    /// A FIFO as the image would hang qemu-img for ever, holding the lab's lock: refused at once.
    @Test func aFifoImageIsRefused() throws {
        let q = try QemuPlace(lab: "vq-fifo", bundled: "bridge-lab", image: "disk.qcow2")
        defer { q.cleanup() }
        #expect(mkfifo("\(q.place.dir)/labs/disk.qcow2", 0o600) == 0)
        let started = Date()
        let r = try q.run(["create", q.lab, "--provider", "qemu", "--no-setup"])
        #expect(
            r.status == 2 && r.stderr.contains("base.image") && r.stderr.contains("is not a regular file"),
            "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    /// A runtime directory too deep for a socket path (108 bytes) moves the monitor sockets
    /// to a short folder of this user's under /tmp: the lab runs, and destroy leaves nothing.
    @Test func aDeepRuntimeDirectoryStillRunsQemu() throws {
        let deep = "/tmp/vbq-deep/" + String(repeating: "d", count: 90)
        let q = try QemuPlace(lab: "vq-deep", bundled: "bridge-lab", runtime: deep)
        let monitors = QemuNames(lab: q.lab, state: "", runtime: "\(deep)/vboxlab").monitorFolder
        defer {
            q.cleanup()
            try? FileManager.default.removeItem(atPath: "/tmp/vbq-deep")
            rmdir(monitors)
        }
        #expect(monitors.hasPrefix("/tmp/vboxlab-qemu-"))
        let r = try q.run(["create", q.lab, "--provider", "qemu", "--no-setup"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(q.qemuPids().count == 3)
        let sockets = (try? FileManager.default.contentsOfDirectory(atPath: monitors)) ?? []
        #expect(sockets.filter { $0.hasSuffix(".qmp") }.count == 3, "\(monitors): \(sockets)")
        #expect(try q.run(["destroy", q.lab]).status == 0)
        #expect(q.qemuPids().isEmpty)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: monitors)) ?? []
        #expect(left.isEmpty, "\(left)")
    }

    /// A VM's own `base: { image }` boots that image; the others boot the lab's (the VM's own
    /// was ignored: the lab's image booted, with the VM's ssh key).
    @Test func aVMsOwnImageIsTheOneItBoots() throws {
        let q = try QemuPlace(lab: "vq-img", bundled: "bridge-lab")
        defer { q.cleanup() }
        let other = QemuGate.networkManagerImage
        #expect(FileManager.default.fileExists(atPath: "\(other)/image.json"), "needs the networkmanager image")
        _ = try q.place.write(
            "labs/vq-img.json5", name: "vq-img",
            text: #"{ name: "vq-img", vms: [ { name: "a", nics: [ { network: "i", ip: "10.9.6.1/24" } ] }, "#
                + #"{ name: "b", base: { image: "\#(other)" }, nics: [ { network: "i", ip: "10.9.6.2/24" } ] } ] }"#)
        let r = try q.run(["create", q.lab, "--provider", "qemu", "--no-setup"])
        #expect(r.status == 0, "\(r.stderr)")
        func kernel(of vm: String) -> String? {
            for pid in q.qemuPids() {
                guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
                let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                guard zip(argv, argv.dropFirst()).contains(where: { $0 == "-name" && $1 == "vq-img-\(vm)" }) else {
                    continue
                }
                return zip(argv, argv.dropFirst()).first { $0.0 == "-kernel" }?.1
            }
            return nil
        }
        #expect(kernel(of: "b") == "\(other)/vmlinux")
        #expect(kernel(of: "a") == "\(QemuGate.defaultImage)/vmlinux")
        #expect(try q.run(["destroy", q.lab]).status == 0)
    }
}
