import Foundation
import VBoxLabHost
import VBoxLabModel

/// A lab's snapshot as VirtualBox keeps one per VM: `snapshot take` (`--live` on a running
/// VM, which keeps its running state), `snapshot restore` on a VM powered off first: a VM
/// that ran when it was taken is left in its saved state, which `startvm` resumes. The base's
/// own snapshot is the base VM's, which a lab never touches.
extension VirtualBoxProvider: LabSnapshotting {
    public func takeSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure] {
        eachVM(of: record) { vm, seen throws(VBoxLabError) in
            try vbox.write(
                ["snapshot", seen.uuid, "take", snapshot.vmSnapshotName] + (seen.running ? ["--live"] : []),
                timeout: 600)
        }
    }

    public func restoreSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure] {
        eachVM(of: record) { vm, seen throws(VBoxLabError) in
            if seen.running { try vbox.write(VBoxManage.powerOff(seen.uuid)) }
            try vbox.write(["snapshot", seen.uuid, "restore", snapshot.vmSnapshotName], timeout: 600)
        }
    }

    public func deleteSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure] {
        eachVM(of: record) { vm, seen throws(VBoxLabError) in
            do throws(VBoxLabError) {
                try vbox.write(["snapshot", seen.uuid, "delete", snapshot.vmSnapshotName], timeout: 600)
            } catch {
                // A VM made after the snapshot has none to delete.
                guard error.message.contains("Could not find a snapshot named") else { throw error }
            }
        }
    }

    /// `body` on each of the record's VMs VirtualBox has, a few at once; the VMs it failed on,
    /// with why (a VM VirtualBox no longer has among them).
    private func eachVM(of record: LabRecord, _ body: @escaping @Sendable (String, VBoxVM) throws(VBoxLabError) -> Void)
        -> [VMFailure]
    {
        let mine: [String: VBoxVM]
        do { mine = owned(record, in: try inventory()) } catch {
            return record.vms.map { VMFailure(vm: $0, reason: error.message) }
        }
        let failures = parallelMap(record.vms, width: Self.vmsAtOnce) { vm -> VMFailure? in
            guard let seen = mine[vm] else { return VMFailure(vm: vm, reason: "VirtualBox no longer has it") }
            do throws(VBoxLabError) {
                try body(vm, seen)
                return nil
            } catch {
                return VMFailure(vm: vm, reason: error.message)
            }
        }
        return failures.compactMap { $0 }
    }
}
