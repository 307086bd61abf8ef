import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// One lab's life across commands, for every provider: the lock, the prerequisites, the
/// provider's build, the guests' setup, the check after create, destroy, and the record
/// kept in step with all of it. The executable parses, calls one of these, and prints.
public struct LabLifecycle: Sendable {
    public let environment: LabEnvironment
    public let found: FoundLab
    public let choice: ProviderChoice
    public let provider: LabProvider
    /// Set under `--dry-run`: what would change the system is recorded here instead.
    public let recorder: RecordingRunner?
    /// `--provider`, kept to choose again when the record read under the lock differs.
    let providerFlag: String?
    /// `--strategy`, kept in the commands printed as fixes.
    let strategyFlag: Strategy?

    public init(
        _ found: FoundLab, environment: LabEnvironment, providerFlag: String? = nil, strategyFlag: Strategy? = nil,
        dryRun: Bool = false
    ) throws(VBoxLabError) {
        self.environment = environment
        self.found = found
        self.providerFlag = providerFlag
        self.strategyFlag = strategyFlag
        choice = environment.choose(found, flag: providerFlag)
        recorder = dryRun ? RecordingRunner() : nil
        provider = try environment.provider(choice.name, recorder: recorder)
    }

    public var dryRun: Bool { recorder != nil }
    var store: LabStore { environment.store }
    var progress: ProgressHandler { environment.progress }

    /// How a printed command names this lab (and its provider, where the record would not choose it).
    public var fixes: FixCommands {
        FixCommands(
            lab: found.word, provider: choice.mustBeNamed || found.record == nil ? choice.name : nil,
            strategy: strategyFlag)
    }

    /// What the provider makes, for counts ("2 namespaces").
    public var noun: String { ProviderRegistry.descriptor(provider.name)?.noun ?? "object" }

    /// The lab's lock, unless this is a dry run (which changes nothing).
    func lockUnlessDry(_ lab: String) throws(VBoxLabError) -> LabLock? {
        dryRun ? nil : try environment.lock(lab)
    }

    /// The lab as it is now, read under its lock: another command may have made, changed
    /// or destroyed it while this one waited, so nothing is decided from the record read
    /// before the lock (a stale one would make this command undo or forget the other's work).
    func current() throws(VBoxLabError) -> LabLifecycle {
        var now = found
        now.record = try store.record(found.name)
        guard now.record != found.record else { return self }
        let choice = environment.choose(now, flag: providerFlag)
        let provider = try environment.provider(choice.name, recorder: recorder)
        return LabLifecycle(
            environment: environment, found: now, choice: choice, provider: provider,
            recorder: recorder, providerFlag: providerFlag, strategyFlag: strategyFlag)
    }

    // MARK: create and fix-macs

    /// Builds the lab or brings it to the plan, sets the guests up, and checks it after a
    /// create when `checkAfter`. Only a failed provider step undoes what the run made: the
    /// provider's own undo, then (for a lab that did not exist) its record and lock file.
    /// VMs it would start that do not fit the host are refused first, unless `force`.
    public func apply(_ plan: RegistrationPlan, mode: ApplyMode, checkAfter: Bool, force: Bool = false)
        throws(VBoxLabError) -> ApplyReport
    {
        if !dryRun { try provider.checkPrerequisites(pinging: mode.setsUpGuests) }
        let held = try lockUnlessDry(plan.lab)
        defer { withExtendedLifetime(held) {} }
        let locked = try current()
        if let recorded = locked.found.record?.provider, recorded != locked.provider.name {
            throw .lab(.otherProvider(lab: plan.lab, recorded: recorded, chosen: locked.provider.name))
        }
        // create on a stopped lab starts it; fix-macs changes a running lab only.
        if mode.isFix, let rest = locked.found.record?.rest {
            throw .lab(.atRest(lab: plan.lab, since: rest.since, command: "fix-macs"))
        }
        do { try locked.checkResources(plan, mode: mode, force: force) } catch {
            if locked.found.record == nil { held?.removeFileOnRelease = true }
            throw error
        }
        do { return try locked.applyLocked(plan, mode: mode, checkAfter: checkAfter, held: held) } catch {
            // The command that restarts them is the one the user ran, with the options that shaped the plan.
            guard case .lab(.mustPowerOff(let lab, let vms, let table, _)) = error else { throw error }
            let retry = fixes.build(mode.isFix ? "fix-macs" : "create", ["--restart"])
            throw .lab(.mustPowerOff(lab: lab, vms: vms, table: table, retry: retry))
        }
    }

    /// The VMs this run starts (all of a new lab's, else those the spec adds) against the
    /// host's memory and cores, where the provider's VMs are machines on this host.
    private func checkResources(_ plan: RegistrationPlan, mode: ApplyMode, force: Bool) throws(VBoxLabError) {
        guard provider is MachineHosting, let host = HostResources.current() else { return }
        let spec = try found.requireSpec()
        let known = Set(found.record?.vms ?? [])
        let command = "vboxlab \(mode.isFix ? "fix-macs" : "create") \(plan.lab)"
        let check = ResourceCheck.judge(
            lab: plan.lab, starting: spec.vms.filter { !known.contains($0.name) }, host: host, command: command)
        if let refusal = check.refusal {
            guard force else { throw .prerequisite(.notEnough(refusal)) }
            progress("\(refusal.components(separatedBy: "; ").first ?? refusal); going on (--force)")
        }
        check.warnings.forEach(progress)
    }

    private func applyLocked(_ plan: RegistrationPlan, mode: ApplyMode, checkAfter: Bool, held: LabLock?)
        throws(VBoxLabError) -> ApplyReport
    {
        let spec = try found.requireSpec()
        // A new lab stopped by a signal goes whole, its lock file too (the undo runs first).
        let undo = environment.undo
        let lockFile = found.record == nil ? held.map { lock in undo.push { unlink(lock.path) } } : nil
        defer { if let lockFile { undo.drop(lockFile) } }
        let outcome: ApplyOutcome
        do { outcome = try build(plan, spec: spec, mode: mode) } catch {
            // A new lab that failed is gone, record and all: its lock file goes too.
            if found.record == nil { held?.removeFileOnRelease = true }
            throw error
        }
        var changes = outcome.changes
        var record = outcome.record
        if mode.setsUpGuests {
            let kept = guestsKeptAtRest(found.record, booted: outcome.bootedInsteadOfResumed)
            changes += try setUpGuests(plan, spec: spec, outcome: outcome, record: &record, keeping: kept)
        }
        var report = ApplyReport(
            created: outcome.created, changes: changes, record: record,
            commands: recorder?.commands, check: nil)
        if checkAfter && mode.setsUpGuests && !dryRun {
            report.check = try with(record: record).check(plan, lockHeld: true)
        }
        return report
    }

    /// The guests' part. A guest that fails never undoes what the provider made: the VMs and
    /// the record stay, the record names the guests not set up (`list` shows them), and the
    /// error says which answered, which did not and why, and the next command.
    private func setUpGuests(
        _ plan: RegistrationPlan, spec: LabSpec, outcome: ApplyOutcome, record: inout LabRecord, keeping: Set<String>
    ) throws(VBoxLabError) -> [String] {
        let guests = GuestProvisioner(
            provider: provider, progress: progress, recorder: recorder, waitSetting: environment.guestWaitSetting)
        var changes: [String] = []
        // A dry run shows the scripts of the guests it expects to change, and of those it cannot read.
        // Guests that kept their setup through a stop (saved, or persisted) are not set up again.
        var unchanged = keeping
        for vm in plan.vmNames where keeping.contains(vm) { progress("\(vm): its setup was kept while stopped") }
        if dryRun {
            let predicted = try guests.predict(plan, spec: spec, record: record, observed: outcome.observed)
            changes += plan.vmNames.flatMap { vm in (predicted[vm] ?? []).map { "\(vm): \($0)" } }
            unchanged.formUnion(predicted.filter { $0.value.isEmpty }.keys)
        }
        do {
            changes += try guests.setUp(
                plan, spec: spec, record: record, interfaces: outcome.guestInterfaces,
                addresses: outcome.guestAddresses,
                quietWhenUnchanged: !outcome.created, skipping: unchanged)
        } catch {
            if case .guest(.setupFailed(_, let failed, _)) = error, !dryRun {
                record.guestsNotSetUp = failed.map(\.vm)
                // The setup's own error is what the user must see; a record that cannot note the guests left unset
                // loses only that note.
                try? store.save(record)
            }
            throw error
        }
        if record.guestsNotSetUp != nil && !dryRun {
            record.guestsNotSetUp = nil
            try store.save(record)
        }
        return changes
    }

    /// The provider's part, as one transaction: the record written before anything is made.
    private func build(_ plan: RegistrationPlan, spec: LabSpec, mode: ApplyMode) throws(VBoxLabError) -> ApplyOutcome {
        guard let specPath = found.specPath else { throw .spec(.noSpec(lab: found.name)) }
        var base = found.record ?? LabRecord(lab: plan.lab, spec: specPath, provider: provider.name, vms: plan.vmNames)
        base.spec = specPath
        base.provider = provider.name
        base.strategy = strategyFlag?.rawValue
        let change = try provider.prepare(plan, spec: spec, record: base, mode: mode)
        return try LabTransaction(
            store: store, lab: plan.lab, newLab: found.record == nil, dryRun: dryRun, progress: progress,
            undo: environment.undo
        ).run(change)
    }

    /// The same lifecycle with another `--strategy` (start: the one the lab was built with).
    func with(strategy: Strategy?) -> LabLifecycle {
        LabLifecycle(
            environment: environment, found: found, choice: choice, provider: provider, recorder: recorder,
            providerFlag: providerFlag, strategyFlag: strategy)
    }

    /// The same lifecycle, for a lab whose record has just been written.
    func with(record: LabRecord) -> LabLifecycle {
        var f = found
        f.record = record
        return LabLifecycle(
            environment: environment, found: f, choice: choice, provider: provider, recorder: recorder,
            providerFlag: providerFlag, strategyFlag: strategyFlag)
    }

    private init(
        environment: LabEnvironment, found: FoundLab, choice: ProviderChoice, provider: LabProvider,
        recorder: RecordingRunner?, providerFlag: String?, strategyFlag: Strategy?
    ) {
        self.environment = environment
        self.found = found
        self.choice = choice
        self.provider = provider
        self.recorder = recorder
        self.providerFlag = providerFlag
        self.strategyFlag = strategyFlag
    }

    // MARK: destroy

    /// Removes what the record owns, then the record and what vboxlab kept for the lab
    /// (host keys, its key pair, its last check), then the lock file.
    public func destroy() throws(VBoxLabError) -> DestroyReport {
        let gone = DestroyReport(
            lab: found.name, existed: false, removed: [], noun: noun, provider: provider.name, commands: nil)
        guard found.record != nil else { return gone }
        if !dryRun { try provider.checkPrerequisites(pinging: false) }
        let held = try lockUnlessDry(found.name)
        defer { withExtendedLifetime(held) {} }
        // Another command may have destroyed the lab, or changed it, while this one waited.
        let now = try current()
        guard let record = now.found.record else { return gone }
        return try now.destroyLocked(record, held: held)
    }

    private func destroyLocked(_ record: LabRecord, held: LabLock?) throws(VBoxLabError) -> DestroyReport {
        let removed = try provider.destroy(record)
        if !dryRun {
            store.remove(record.lab)
            // The lab's VMs are gone; their host keys would only refuse the next lab of that name,
            // and its ssh connections' folder serves nothing. Absent is fine: hence try?.
            let control = ProviderContext.sshControlDirectory(record.lab, runtime: environment.paths.runtime)
            for path in store.keptFiles(record.lab) + [control] {
                // Absent already is as good.
                try? FileManager.default.removeItem(atPath: path)
            }
            held?.removeFileOnRelease = true
        }
        return DestroyReport(
            lab: record.lab, existed: true, removed: removed, noun: noun, provider: provider.name,
            commands: recorder?.commands)
    }
}

/// What create or fix-macs did.
public struct ApplyReport: Sendable {
    /// A new lab was built (nothing of it existed).
    public var created: Bool
    /// One line per change, the guests' included.
    public var changes: [String]
    public var record: LabRecord
    /// Under `--dry-run`: every command that would have changed the system, in order.
    public var commands: [Command]?
    /// The check that followed a create.
    public var check: CheckRun?
}

/// What destroy did.
public struct DestroyReport: Sendable {
    public var lab: String
    /// Whether vboxlab had a record of the lab at all.
    public var existed: Bool
    public var removed: [String]
    /// What the provider makes ("namespace", "VM").
    public var noun: String
    public var provider: String
    public var commands: [Command]?
}
