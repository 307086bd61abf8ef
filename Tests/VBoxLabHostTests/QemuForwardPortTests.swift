import Foundation
import Testing

@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The ssh forward of a stopped QEMU lab's VMs when it starts again: each VM keeps its port
/// while the port is free; one whose port another program took meanwhile gets a new one,
/// never another VM's. No root, no QEMU: the decision alone, on ports the test holds.
@Suite struct QemuForwardPortTests {
    @Test func aVMWhosePortWasTakenGetsANewOneAndLeavesTheOthersTheirs() throws {
        let dir = NSTemporaryDirectory() + "vboxlab-ports-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try LabLoader.load(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../labs/bridge-lab.json5"
            ).standardized.path)
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
}
