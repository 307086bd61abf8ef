import Foundation
import VBoxLabHost
import VBoxLabModel

/// A lab's snapshot as internal snapshots of each VM's own overlay: `savevm` on a running VM
/// (its running state with it), `qemu-img snapshot -c` on a stopped one. Restoring stops a
/// running VM, applies the snapshot to the overlay, and leaves a VM that ran then to resume
/// from it (`-loadvm`) when the lab starts. The base image is never written.
extension QemuProvider: LabSnapshotting {
    public func takeSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure] {
        let name = snapshot.vmSnapshotName
        return eachVM(of: record) { vm, overlay, process throws(VBoxLabError) in
            guard let process else {
                try mutator.check(Command("qemu-img", ["snapshot", "-c", name, overlay], timeout: 120))
                return
            }
            let said = QMP.humanMonitor("savevm \(name)", socket: names(record.lab).qmp(vm), timeout: Self.saveLimit)
            guard said == "" else {
                throw .commandFailed(
                    command: "savevm \(name) (QEMU's monitor)", status: 1,
                    stderr: said ?? "the monitor did not answer")
            }
            keepSnapshotMachine(Self.machineArgv(process), vm: vm, lab: record.lab, snapshot: snapshot.name)
        }
    }

    public func restoreSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure] {
        let name = snapshot.vmSnapshotName
        return eachVM(of: record) { vm, overlay, process throws(VBoxLabError) in
            if let process { stop(vm, process: process, lab: record.lab, gently: false) }
            try mutator.check(Command("qemu-img", ["snapshot", "-a", name, overlay], timeout: 120))
            dropResumePoint(vm, lab: record.lab)
            if snapshot.running.contains(vm), let argv = snapshotMachine(vm, lab: record.lab, snapshot: snapshot.name) {
                keepResumePoint(QemuResumePoint(state: name, argv: argv), vm: vm, lab: record.lab)
            }
        }
    }

    public func deleteSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure] {
        let name = snapshot.vmSnapshotName
        return eachVM(of: record) { vm, overlay, process throws(VBoxLabError) in
            if process != nil {
                let said = QMP.humanMonitor("delvm \(name)", socket: names(record.lab).qmp(vm), timeout: 120)
                guard said == "" || said?.contains("not found") == true else {
                    throw .commandFailed(command: "delvm \(name) (QEMU's monitor)", status: 1, stderr: said ?? "")
                }
            } else {
                let listed = (try? reader.run(Command("qemu-img", ["snapshot", "-l", overlay])))?.stdout ?? ""
                // A VM made after the snapshot has none to delete.
                if listed.contains(" \(name) ") {
                    try mutator.check(Command("qemu-img", ["snapshot", "-d", name, overlay], timeout: 120))
                }
            }
            dropSnapshotMachine(vm, lab: record.lab, snapshot: snapshot.name)
        }
    }

    /// `body` on each recorded VM with its overlay and, when it runs, its QEMU; the VMs it failed on.
    private func eachVM(
        of record: LabRecord, _ body: @escaping @Sendable (String, String, QemuProcess?) throws(VBoxLabError) -> Void
    ) -> [VMFailure] {
        let failures = parallelMap(record.vms, width: Parallelism.reads) { vm -> VMFailure? in
            // The VM's own overlay, inside the lab's folder: a record never points elsewhere.
            guard names(record.lab).ownedFolder(vm) != nil, case let overlay = names(record.lab).overlay(vm),
                FileManager.default.fileExists(atPath: overlay)
            else {
                return VMFailure(vm: vm, reason: "it has no disk (vboxlab create \(record.lab) makes it)")
            }
            do throws(VBoxLabError) {
                try body(vm, overlay, process(of: vm, lab: record.lab, record: record))
                return nil
            } catch {
                return VMFailure(vm: vm, reason: error.message)
            }
        }
        return failures.compactMap { $0 }
    }
}
