import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// What `check` found: the report, and the model that explained it (for `--pair`'s trace).
public struct CheckRun: Sendable {
    public var report: CheckReport
    public var diagnoser: Diagnoser?
}

extension LabLifecycle {
    /// Pings `pairs` (every pair of the plan when nil) and explains each failure. A check
    /// of every pair is kept beside the record, for `graph --check`.
    /// `lockHeld`: the caller (create) already holds the lab's lock.
    public func check(_ plan: RegistrationPlan, pairs: [PingPair]? = nil, capture: Int = 0, lockHeld: Bool = false)
        throws(VBoxLabError) -> CheckRun
    {
        try provider.checkPrerequisites(pinging: true)
        let held = lockHeld ? nil : try environment.lock(plan.lab)
        defer { withExtendedLifetime(held) {} }
        let now = lockHeld ? self : try current()
        // A stopped lab has nothing to ping: say so, not a matrix of VMs that are down.
        if let rest = now.found.record?.rest {
            throw .lab(.atRest(lab: plan.lab, since: rest.since, command: "check"))
        }
        return try now.checkLocked(plan, pairs: pairs, capture: capture)
    }

    private func checkLocked(_ plan: RegistrationPlan, pairs: [PingPair]?, capture: Int) throws(VBoxLabError)
        -> CheckRun
    {
        let spec = try found.requireSpec()
        let checker = LabChecker(provider: provider, progress: progress)
        let (report, diagnoser) = try checker.check(
            plan, spec: spec, record: found.record, pairs: pairs, trace: pairs != nil, capture: capture)
        if pairs == nil { keep(report) }
        return CheckRun(report: report, diagnoser: diagnoser)
    }

    /// The last check of every pair, as its JSON.
    private func keep(_ report: CheckReport) {
        // The check has run and is reported either way; a result that cannot be kept only
        // leaves `graph --check` without it, which it says.
        try? store.keepCheck(report.json.rendered() + "\n", of: report.lab)
    }

    /// The lab as the system has it: the spec's VMs and the record's (a VM the spec dropped
    /// is still shown while it exists).
    public func status() throws(VBoxLabError) -> LabObservation {
        try provider.checkPrerequisites(pinging: false)
        var vms = (try? found.spec.map { try Solver.plan($0, strategy: nil).vmNames }) ?? nil ?? []
        for vm in found.record?.vms ?? [] where !vms.contains(vm) { vms.append(vm) }
        var observation = try provider.observe(lab: found.name, vms: vms, record: found.record)
        observation.rest = found.record?.rest
        if let rest = found.record?.rest {
            // Stopped, the lab exists all the same: each VM not running is stopped (or saved).
            observation.exists = true
            for vm in vms where observation.state.vms.first(where: { $0.name == vm })?.running != true {
                let state = observation.details[vm]?.state
                if state == nil || state == "missing" || state == "off" {
                    observation.details[vm, default: VMDetail(state: "")].state =
                        rest.saved.contains(vm) ? "saved" : "stopped"
                }
            }
        }
        // How each VM is reached, where that is ssh (a namespace's own way in needs no saying).
        if let spec = found.spec, observation.exists,
            let transports = try? provider.transports(spec: spec, record: found.record)
        {
            for (vm, t) in transports where t.login != nil {
                observation.details[vm, default: VMDetail(state: "missing")].reach = t.summary
            }
        }
        return observation
    }

    // MARK: one guest

    /// The way into one VM of the spec, or why there is none.
    public func transport(to vm: String) throws(VBoxLabError) -> GuestTransport {
        let spec = try found.requireSpec()
        guard spec.vm(named: vm) != nil else {
            throw .lab(.noSuchVM(lab: found.name, vm: vm, vms: spec.vms.map(\.name)))
        }
        try provider.checkPrerequisites(pinging: false)
        guard let transport = try provider.transports(spec: spec, record: found.record)[vm] else {
            throw .lab(.noSuchVM(lab: found.name, vm: vm, vms: spec.vms.map(\.name)))
        }
        return transport
    }

    /// `ssh-setup VM`: waits for the VM, then pushes its guest script. Under `--dry-run`,
    /// the command that would carry the script, and nothing run.
    public func setUpGuest(_ vm: String, persist: Bool, wait: Double) throws(VBoxLabError) -> GuestSetupOutcome {
        let held = try lockUnlessDry(found.name)
        defer { withExtendedLifetime(held) {} }
        return try current().setUpGuestLocked(vm, persist: persist, wait: wait)
    }

    private func setUpGuestLocked(_ vm: String, persist: Bool, wait: Double) throws(VBoxLabError) -> GuestSetupOutcome {
        let transport = try transport(to: vm)
        defer { transport.close() }
        let script = GuestScript(
            plan: try Solver.plan(try found.requireSpec(), strategy: found.record?.builtWith), vm: vm,
            persist: persist || found.record?.persisted?.contains(vm) == true)
        if dryRun {
            return GuestSetupOutcome(vm: vm, changes: [], command: transport.command(["sh", "-s"], input: script.text))
        }
        let board = WaitBoard(vms: [vm], limit: wait, progress: progress)
        try transport.waitUntilReachable(wait: wait, progress: { _ in board.tick(vm) })
        board.answered(vm)
        progress("pushing the guest setup of \(vm) through \(transport.summary)")
        let changes = try GuestSetup.run(script, through: transport)
        // The guest is set up now: `list` stops naming it among those a create could not reach;
        // persisted, its later setups keep its files true.
        if var record = try store.record(found.name) {
            let before = record
            if let left = record.guestsNotSetUp, left.contains(vm) {
                let rest = left.filter { $0 != vm }
                record.guestsNotSetUp = rest.isEmpty ? nil : rest
            }
            if persist && record.persisted?.contains(vm) != true { record.persisted = (record.persisted ?? []) + [vm] }
            if record != before { try store.save(record) }
        }
        return GuestSetupOutcome(vm: vm, changes: changes, command: nil)
    }
}

/// What `ssh-setup` did to one guest, or (dry run) the command that would do it.
public struct GuestSetupOutcome: Sendable {
    public var vm: String
    public var changes: [String]
    public var command: Command?
}
