import Foundation
import Testing

@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// What a QEMU create or start decides for a lab that exists, before anything runs: the ssh
/// forward of each VM, and the image each VM boots. No root, no guest booted.
@Suite struct QemuDecideTests {
    /// The bundled seed lab.
    static func seed() throws -> LabSpec {
        try LabLoader.load(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../labs/bridge-lab.json5"
            ).standardized.path)
    }

    /// The ssh forward of a stopped lab's VMs when it starts again: each VM keeps its port
    /// while the port is free; one whose port another program took meanwhile gets a new one,
    /// never another VM's (on ports the test holds).
    @Test func aVMWhosePortWasTakenGetsANewOneAndLeavesTheOthersTheirs() throws {
        let dir = NSTemporaryDirectory() + "vboxlab-ports-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try Self.seed()
        let plan = try Solver.plan(spec, strategy: nil)
        let provider = QemuProvider(
            context: ProviderContext(reader: RecordingRunner(), store: LabStore(directory: dir), runtime: dir))
        // Three free ports in a row, the middle one then taken, as by another program.
        var first = 40_000 + Int.random(in: 0...20_000)
        while !(0..<3).allSatisfy({ LocalPort.isFree(first + $0) }) { first += 3 }
        let taken = try #require(TakenPort(first + 1))
        defer { taken.release() }
        var record = LabRecord(lab: spec.name, spec: spec.file, provider: "qemu", vms: plan.vmNames)
        for (i, vm) in ["centos-1", "centos-2", "centos-3"].enumerated() {
            record.owned.append(OwnedObject(kind: .qemuForward, name: vm, id: "127.0.0.1:\(first + i)"))
        }
        let image = QemuImage(disk: "\(dir)/disk.qcow2", boot: .disk, login: nil)
        let work = try provider.decide(plan, spec: spec, record: record, image: image, mode: .create(setup: true))
        #expect(work.designs["centos-1"]?.sshPort == first)
        #expect(work.designs["centos-3"]?.sshPort == first + 2)
        // It looks just above its old port, past centos-3's: the first free one after both.
        let moved = try #require(work.designs["centos-2"]?.sshPort)
        #expect(moved == LocalPort.free(from: first + 3, avoiding: []), "\(moved)")
    }

    /// A VM whose overlay was made from an older image (a vboxlab upgraded with a new image
    /// recipe) keeps booting that image's kernel with that image's login, and is said to; a
    /// VM with no overlay yet boots the spec's image. The overlay's header names its base.
    /// (VBOXLAB_REQUIRE_QEMU=1 runs it without qemu-img too, so that it fails instead of skipping.)
    @Test(.enabled(if: ProcessRunner.resolve("qemu-img") != nil || QemuGate.required, "needs qemu-img (qemu-utils)"))
    func aVMKeepsTheImageItsDiskWasMadeFrom() throws {
        let dir = NSTemporaryDirectory() + "vboxlab-made-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func image(_ name: String, cpu: String = "") throws -> QemuImage {
            let folder = "\(dir)/images/\(name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try ProcessRunner().check(
                Command("qemu-img", ["create", "-q", "-f", "qcow2", "\(folder)/disk.qcow2", "1M"]))
            for file in ["vmlinuz", "initrd.img", "login-key"] {
                #expect(FileManager.default.createFile(atPath: "\(folder)/\(file)", contents: Data()))
            }
            try #"{ "append": "root=/dev/vda", "user": "root", "key": "login-key"\#(cpu) }"#
                .write(toFile: "\(folder)/image.json", atomically: true, encoding: .utf8)
            return try #require(QemuImage.fromFolder(folder))
        }
        let old = try image("debian-12-networkd-r1")
        let new = try image("debian-12-networkd-r2", cpu: #", "tcg_cpu": "qemu64,+rdrand""#)
        let spec = try Self.seed()
        let plan = try Solver.plan(spec, strategy: nil)
        let said = Locked<[String]>([])
        let provider = QemuProvider(
            context: ProviderContext(
                reader: RecordingRunner(), progress: { line in said.update { $0.append(line) } },
                store: LabStore(directory: "\(dir)/state"), runtime: "\(dir)/run"))
        // centos-1 was made from the old image; the others have no overlay yet.
        let overlay = provider.names(spec.name).overlay("centos-1")
        try FileManager.default.createDirectory(
            atPath: (overlay as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try ProcessRunner().check(
            Command("qemu-img", ["create", "-q", "-f", "qcow2", "-b", old.disk, "-F", "qcow2", overlay]))
        #expect(QemuImage.backingFile(ofOverlay: overlay) == old.disk)
        #expect(QemuImage.backingFile(ofOverlay: old.disk) == nil)

        let record = LabRecord(lab: spec.name, spec: spec.file, provider: "qemu", vms: plan.vmNames)
        let work = try provider.decide(plan, spec: spec, record: record, image: new, mode: .create(setup: true))
        #expect(work.images["centos-1"] == old)
        #expect(work.images["centos-2"] == new)
        #expect(
            work.designs["centos-1"]?.argv.contains(old.disk.replacingOccurrences(of: "disk.qcow2", with: "vmlinuz"))
                == true)
        #expect(
            said.get() == [
                "centos-1: keeps the image its disk was made from (\(dir)/images/debian-12-networkd-r1); destroy and "
                    + "create the lab to move it to \(new.disk)"
            ])
        let login = try provider.transports(spec: spec, record: record)["centos-1"]?.login
        #expect(login == "root with \(dir)/images/debian-12-networkd-r1/login-key", "\(login ?? "no login")")
        // The image's CPU for TCG (recipe 5 on) is used under TCG only; an image without one keeps QEMU's.
        let vm = try #require(spec.vms.first { $0.name == "centos-2" })
        func cpu(_ image: QemuImage, _ accel: String) -> [String] {
            let argv = provider.machine(vm, plan: plan, image: image, sshPort: 2222, accel: accel).argv
            return argv.firstIndex(of: "-cpu").map { Array(argv[$0...($0 + 1)]) } ?? []
        }
        #expect(cpu(new, "tcg") == ["-cpu", "qemu64,+rdrand"])
        #expect(cpu(new, "kvm") == [])
        #expect(cpu(old, "tcg") == [])
    }
}
