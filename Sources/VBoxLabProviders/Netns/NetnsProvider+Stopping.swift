import Foundation
import VBoxLabHost
import VBoxLabModel

/// A namespace has no running state to keep: stopping a netns lab removes its namespaces
/// and keeps the record, and `start` builds them again from the spec, as create does.
extension NetnsProvider: LabStopping {
    public var savesRunningState: Bool { false }

    public func stop(_ record: LabRecord, save: Bool, wait: Double) -> StopOutcome {
        let note =
            "a netns lab has no running state"
            + (save ? " to save" : "")
            + ": its namespaces are removed, and vboxlab start \(record.lab) builds them again"
        do {
            let removed = try destroy(record)
            var kept = record
            kept.owned.removeAll { $0.kind == .namespace }
            let lines = record.vms.map { "\($0): \(context.dryRun ? "would be removed" : "removed")" }
            return StopOutcome(lines: removed.isEmpty ? [] : lines, note: note, record: kept)
        } catch {
            return StopOutcome(
                lines: [], failed: record.vms.map { VMFailure(vm: $0, reason: error.message) }, note: note,
                record: record)
        }
    }
}
