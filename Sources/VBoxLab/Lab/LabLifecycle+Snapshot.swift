import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// What `snapshot save|restore|delete` did.
public struct SnapshotReport: Sendable {
    public var lab: String
    public var snapshot: LabSnapshot
    /// After a restore of a snapshot whose VMs ran: the start that followed (and its check).
    public var started: ApplyReport?
}

extension LabLifecycle {
    /// The lab's snapshots, oldest first.
    public func snapshots() throws(VBoxLabError) -> [LabSnapshot] {
        guard let record = found.record else { throw .lab(.notCreated(lab: found.name, provider: provider.name)) }
        return record.snapshots ?? []
    }

    /// `snapshot save NAME`: every VM at this moment (with its running state where it runs).
    /// A name taken, or one that is not a plain name, is refused (exit 2) before anything is done.
    public func saveSnapshot(_ name: String) throws(VBoxLabError) -> SnapshotReport {
        try snapshotLocked(name, mustExist: false) { record, snapshotting throws(VBoxLabError) in
            let running = Set(
                try provider.observe(lab: record.lab, vms: record.vms, record: record).state.vms
                    .filter(\.running).map(\.name))
            let snapshot = LabSnapshot(name: name, running: record.vms.filter(running.contains))
            progress("saving snapshot \(name) of \(counted(record.vms.count, "VM"))")
            let failed = snapshotting.takeSnapshot(snapshot, of: record)
            // What was taken is kept, so that delete finds it on the VMs that have it.
            var kept = record
            kept.snapshots = (record.snapshots ?? []) + [snapshot]
            try store.save(kept)
            try finished("save", name, failed, retry: "delete \(name), then save it again")
            return SnapshotReport(lab: record.lab, snapshot: snapshot, started: nil)
        }
    }

    /// `snapshot restore NAME`: every VM back to that moment, then the lab started again
    /// (and checked) when its VMs ran then, or left stopped when they did not.
    public func restoreSnapshot(_ name: String, checkAfter: Bool = true) throws(VBoxLabError) -> SnapshotReport {
        var report = try snapshotLocked(name, mustExist: true) { record, snapshotting throws(VBoxLabError) in
            let snapshot = (record.snapshots ?? []).first { $0.name == name }!
            progress("restoring snapshot \(name) (taken \(snapshot.taken))")
            let failed = snapshotting.restoreSnapshot(snapshot, of: record)
            var kept = record
            // Every VM is off now; those that ran then resume from that moment at the start.
            kept.rest = LabRest(saved: snapshot.running)
            try store.save(kept)
            try finished("restore", name, failed, retry: "restore \(name)")
            return SnapshotReport(lab: record.lab, snapshot: snapshot, started: nil)
        }
        if !report.snapshot.running.isEmpty {
            report.started = try current().start(checkAfter: checkAfter)
        }
        return report
    }

    /// `snapshot delete NAME`: gone from every VM, then from the record.
    public func deleteSnapshot(_ name: String) throws(VBoxLabError) -> SnapshotReport {
        try snapshotLocked(name, mustExist: true) { record, snapshotting throws(VBoxLabError) in
            let snapshot = (record.snapshots ?? []).first { $0.name == name }!
            let failed = snapshotting.deleteSnapshot(snapshot, of: record)
            try finished("delete", name, failed, retry: "delete \(name)")
            var kept = record
            kept.snapshots = (record.snapshots ?? []).filter { $0.name != name }
            if kept.snapshots?.isEmpty == true { kept.snapshots = nil }
            try store.save(kept)
            return SnapshotReport(lab: record.lab, snapshot: snapshot, started: nil)
        }
    }

    /// Every VM done, or the error that names those that are not and the command that finishes it.
    private func finished(_ action: String, _ name: String, _ failed: [VMFailure], retry: String)
        throws(VBoxLabError)
    {
        guard !failed.isEmpty else { return }
        throw .lab(
            .notAllDone(
                lab: found.name, doing: "snapshot \(action) \(name)", failed: failed,
                retry: "vboxlab snapshot \(found.word) \(retry)"))
    }

    /// The lab's lock, its record read under it, the name checked against it, then `body`.
    private func snapshotLocked(
        _ name: String, mustExist: Bool,
        _ body: (LabRecord, LabSnapshotting) throws(VBoxLabError) -> SnapshotReport
    ) throws(VBoxLabError) -> SnapshotReport {
        let usage = "vboxlab snapshot [LAB] save NAME | restore NAME | list [--json] | delete NAME"
        guard LabSnapshot.isValidName(name) else {
            throw .usage(
                message: "'\(name.escapedOnOneLine)' is not a snapshot name: letters, digits, '.', '_' and '-', "
                    + "starting with a letter or digit, at most 40", usage: usage)
        }
        guard let snapshotting = provider as? LabSnapshotting else {
            throw .lab(
                .notSupported(
                    provider: provider.name, what: "be snapshotted (it has no state to keep)",
                    instead: "vboxlab create \(found.word) builds it again from its spec"))
        }
        try provider.checkPrerequisites(pinging: false)
        let held = try lockUnlessDry(found.name)
        defer { withExtendedLifetime(held) {} }
        guard let record = try current().found.record else {
            throw .lab(.notCreated(lab: found.name, provider: provider.name))
        }
        let taken = (record.snapshots ?? []).contains { $0.name == name }
        if taken && !mustExist {
            throw .usage(
                message: "lab \(record.lab) has a snapshot named \(name) already (vboxlab snapshot \(found.word) "
                    + "delete \(name) removes it)", usage: usage)
        }
        if !taken && mustExist {
            let known = (record.snapshots ?? []).map(\.name)
            throw .usage(
                message: "lab \(record.lab) has no snapshot named \(name)"
                    + (known.isEmpty ? " (it has none)" : " (its snapshots: \(known.joined(separator: ", ")))"),
                usage: usage)
        }
        return try body(record, snapshotting)
    }
}
