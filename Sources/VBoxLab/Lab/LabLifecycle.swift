import Foundation

/// A lab's life across commands: the provider does the work, this keeps the record
/// in step with it. A new lab's record goes when its create fails or is interrupted,
/// after the provider's own undo (Cleanup runs newest first).
public struct LabLifecycle: Sendable {
    public let provider: LabProvider
    public let store: LabStore
    public let dryRun: Bool

    public init(provider: LabProvider, store: LabStore, dryRun: Bool) { self.provider = provider; self.store = store; self.dryRun = dryRun }

    public func apply(_ plan: RegistrationPlan, spec: LabSpec, specPath: String, record: LabRecord?, mode: ApplyMode) throws(VBoxLabError) -> ApplyOutcome {
        var base = record ?? LabRecord(lab: plan.lab, spec: specPath, provider: provider.name, vms: plan.vmNames)
        base.spec = specPath
        base.provider = provider.name
        let store = self.store, lab = plan.lab
        let undo = record == nil && !dryRun ? Cleanup.shared.push { store.remove(lab) } : nil
        do {
            let outcome = try provider.apply(plan, spec: spec, record: base, mode: mode, persist: { (r: LabRecord) throws(VBoxLabError) in try store.save(r) })
            if let undo { Cleanup.shared.drop(undo) }
            return outcome
        } catch {
            if let undo { Cleanup.shared.run(undo) }
            throw error
        }
    }

    /// Removes what the record owns, then the record. Returns what was removed.
    public func destroy(_ record: LabRecord) throws(VBoxLabError) -> [String] {
        let removed = try provider.destroy(record)
        if !dryRun {
            store.remove(record.lab)
            // The lab's VMs are gone; their host keys would only refuse the next lab of that name.
            for path in [store.knownHosts(record.lab), store.labKey(record.lab), store.labKey(record.lab) + ".pub"] {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        return removed
    }
}
