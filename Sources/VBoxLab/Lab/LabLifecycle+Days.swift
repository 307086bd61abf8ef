import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// What `stop` did.
public struct StopReport: Sendable {
    public var lab: String
    /// One line per VM: what became of it.
    public var lines: [String]
    /// The provider's one word on how it stops (one whose VMs keep nothing running says so).
    public var note: String?
    /// The lab was stopped already: nothing was done.
    public var already: Bool
    /// Under `--dry-run`: the commands that would have run.
    public var commands: [Command]?
}

extension LabLifecycle {
    /// How long a guest gets, after its power button, to shut itself down before it is powered off.
    public static let shutdownWait = 90.0

    /// `stop`: every running VM shut down (or its running state saved, with `save`), the
    /// record kept and marked at rest. A VM that would not stop is named with the command
    /// that finishes the job; the others stay stopped, and the record says so.
    public func stop(save: Bool, wait: Double = LabLifecycle.shutdownWait) throws(VBoxLabError) -> StopReport {
        guard found.record != nil else { throw .lab(.notCreated(lab: found.name, provider: provider.name)) }
        if !dryRun { try provider.checkPrerequisites(pinging: false) }
        let held = try lockUnlessDry(found.name)
        defer { withExtendedLifetime(held) {} }
        let now = try current()
        guard let record = now.found.record else { throw .lab(.notCreated(lab: found.name, provider: provider.name)) }
        guard let stopping = now.provider as? LabStopping else {
            throw .lab(
                .notSupported(provider: now.provider.name, what: "be stopped", instead: "vboxlab destroy \(found.word)")
            )
        }
        let running = now.provider.survey(record).running
        if record.rest != nil && running == 0 {
            return StopReport(lab: record.lab, lines: [], note: nil, already: true, commands: nil)
        }
        progress("stopping lab \(record.lab)\(save && stopping.savesRunningState ? ", keeping its running state" : "")")
        let outcome = stopping.stop(record, save: save && stopping.savesRunningState, wait: wait)
        if !dryRun {
            var kept = outcome.record
            // VMs saved by an earlier stop of a lab that was partly started stay saved.
            let earlier = (record.rest?.saved ?? []).filter { !outcome.failed.map(\.vm).contains($0) }
            kept.rest = LabRest(saved: Array(Set(earlier + outcome.saved)).sorted())
            try store.save(kept)
        }
        if !outcome.failed.isEmpty {
            let retry = "vboxlab stop \(found.word)\(save ? " --save" : "")"
            throw .lab(.notAllDone(lab: record.lab, doing: "stop", failed: outcome.failed, retry: retry))
        }
        return StopReport(
            lab: record.lab, lines: outcome.lines, note: outcome.note, already: false, commands: recorder?.commands)
    }

    /// `start`: create's own work on the recorded lab, with the strategy it was built with
    /// (every VM started, a saved one resumed), the guests set up where a stop lost their
    /// setup, then check.
    public func start(checkAfter: Bool = true) throws(VBoxLabError) -> ApplyReport {
        guard let record = found.record else { throw .lab(.notCreated(lab: found.name, provider: provider.name)) }
        let strategy = strategyFlag ?? record.builtWith
        let plan = try Solver.plan(try found.requireSpec(), strategy: strategy)
        return try with(strategy: strategy).apply(plan, mode: .create(setup: true), checkAfter: checkAfter)
    }

    /// Guests whose setup outlived a stop: kept in their saved running state, or written as
    /// their own configuration (`ssh-setup --persist`) on a machine that boots it again.
    /// A saved VM the provider booted instead of resuming keeps only what it persisted.
    /// A provider that keeps no running state builds the lab again from nothing: none of its
    /// guests keeps anything.
    func guestsKeptAtRest(_ record: LabRecord?, booted: Set<String>) -> Set<String> {
        guard let record, let rest = record.rest, (provider as? LabStopping)?.savesRunningState == true else {
            return []
        }
        return Set(rest.saved).subtracting(booted).union(record.persisted ?? [])
    }
}
