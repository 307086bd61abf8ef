import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// create and fix-macs as one transaction, the same for every provider (the lab's lock is
/// already held): the record written before anything is made, so a run stopped at any point
/// leaves objects the record knows by identity; the provider's writes; the record written
/// last. On a failure or an interrupt the provider's undo runs once, then a lab that did not
/// exist before loses its record too, unless the undo could not remove everything (then the
/// record says what is left, for destroy).
struct LabTransaction {
    let store: LabStore
    let lab: String
    /// No record existed: a failure leaves no lab at all.
    let newLab: Bool
    let dryRun: Bool
    let progress: ProgressHandler
    /// The command's undo log: the transaction's undo is in it while objects are made, so a
    /// signal runs it.
    var undo = UndoLog()

    func run(_ change: ProviderChange) throws(VBoxLabError) -> ApplyOutcome {
        // A dry run writes nothing, so it has nothing to undo.
        guard !dryRun else { return try change.make { _ in } }
        var first = change.record
        first.pending = change.makes
        try store.save(first)
        let entry = undo.push { [store, lab, newLab, providerUndo = change.undo] in
            let result = providerUndo((try? store.record(lab)) ?? nil)
            // An undo cannot throw: a record it cannot write stays as last written, pending, and
            // the next run finds it.
            if let record = result.record { try? store.save(record) }
            guard var left = (try? store.record(lab)) ?? nil else { return }
            // Whatever the undo could not remove keeps the record pending, for the next run.
            guard result.clean else { return }
            if newLab && left.stranded == nil {
                store.remove(lab)
            } else {
                left.pending = false
                // Left pending if this write fails: the next run clears what it names, which is gone already.
                try? store.save(left)
            }
        }
        do {
            // While objects are made, every record written says so.
            let makes = change.makes
            var outcome = try change.make { (record: LabRecord) throws(VBoxLabError) in
                var record = record
                record.pending = makes
                try store.save(record)
            }
            outcome.record.pending = false
            outcome.record.stopped = nil
            // Every VM runs now: a lab that was stopped is no longer.
            outcome.record.rest = nil
            try store.save(outcome.record)
            undo.drop(entry)
            return outcome
        } catch {
            progress(change.failure)
            undo.run(entry)
            throw error
        }
    }
}
