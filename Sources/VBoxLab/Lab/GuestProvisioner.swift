import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Sets the guests up once the provider has built the lab: the one copy of guest setup
/// for every provider. Each VM's `GuestScript` goes through the VM's transport (ssh, or
/// the provider's own way in), several VMs at once; a dry run records each script as the
/// command that would carry it and predicts what it would change from the guests as seen.
struct GuestProvisioner: Sendable {
    let provider: LabProvider
    let progress: ProgressHandler
    /// Set under `--dry-run`: scripts are recorded here instead of run.
    let recorder: RecordingRunner?
    /// `VBOXLAB_SSH_WAIT` when the user set it; otherwise `GuestWait`'s rule sizes each wait.
    let waitSetting: Double?

    /// Runs every VM's guest script; returns the change lines ("VM: line").
    /// `quietWhenUnchanged`: a lab that already existed says nothing of guests that were already set up.
    func setUp(
        _ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, interfaces: [String: [Int: String]],
        addresses: [String: [String]] = [:], quietWhenUnchanged: Bool, skipping: Set<String> = []
    ) throws(VBoxLabError) -> [String] {
        let transports = try provider.transports(spec: spec, record: record)
        defer { closeAll(transports) }
        let vms = plan.vmNames.filter { transports[$0] != nil && !skipping.contains($0) }
        let scripts = vms.map {
            GuestScript(
                plan: plan, vm: $0, interfaces: interfaces[$0] ?? [:], addresses: addresses[$0],
                persist: record.persisted?.contains($0) == true)
        }
        if let recorder {
            // A dry run records the scripts in plan order, so what it prints has one order.
            for (vm, script) in zip(vms, scripts) {
                _ = try recorder.run(transports[vm]!.command(["sh", "-s"], input: script.text))
            }
            return []
        }
        // Said once: who logs in, so a wrong user or key is plain before the wait.
        for login in Set(vms.compactMap { transports[$0]!.login }).sorted() {
            progress("logging in to the guests as \(login)")
        }
        let started = Date()
        let wait = waits(vms, spec: spec, record: record)
        wait.note.map(progress)
        let board = WaitBoard(vms: vms, limit: wait.longest, booting: wait.booting, progress: progress)
        let results = parallelMap(Array(zip(vms, scripts)), width: Parallelism.guests) { vm, script in
            Result { () throws(VBoxLabError) -> [String] in
                let t = transports[vm]!
                do throws(VBoxLabError) {
                    try t.waitUntilReachable(wait: wait.limits[vm]!, progress: { _ in board.tick(vm) })
                } catch {
                    board.gaveUp(vm)
                    throw error
                }
                board.answered(vm)
                return try GuestSetup.run(script, through: t)
            }
        }
        try failIfAny(zip(vms, results).map { ($0, $1) }, lab: plan.lab)
        let changes = try report(zip(vms, results).map { ($0, $1) }, quietWhenUnchanged: quietWhenUnchanged)
        progress(
            String(
                format: "set up %@ in %.2f s (%@)", counted(scripts.count, "guest"), Date().timeIntervalSince(started),
                counted(changes.count, "change")))
        return changes
    }

    /// Each VM's wait, from what the provider can tell of its boot.
    private func waits(_ vms: [String], spec: LabSpec, record: LabRecord) -> GuestWait {
        let watching = provider as? BootWatching
        return GuestWait.plan(
            vms: vms, uptimes: watching?.uptimes(record) ?? [:], emulated: watching?.bootsEmulated(spec) ?? false,
            cores: ProcessInfo.processInfo.activeProcessorCount, set: waitSetting)
    }

    /// Every guest that failed, in one error: which, and why in a few words.
    private func failIfAny(_ results: [(String, Result<[String], VBoxLabError>)], lab: String) throws(VBoxLabError) {
        var failed: [GuestFailure] = []
        var done: [String] = []
        for (vm, r) in results {
            switch r {
            case .success: done.append(vm)
            case .failure(let e): failed.append(GuestFailure(vm: vm, why: Self.inFewWords(e)))
            }
        }
        if !failed.isEmpty { throw .guest(.setupFailed(lab: lab, failed: failed, done: done)) }
    }

    /// ssh's failures as a reader of the summary wants them: what happened, not the command line.
    static func inFewWords(_ error: VBoxLabError) -> String {
        switch error {
        case .guest(.noAnswer(_, let target, let seconds, _, let last)):
            return
                "did not answer ssh (\(target)) within \(seconds) "
                + "s\(last.isEmpty ? "" : " (last: \(last.split(separator: "\n").last ?? ""))")"
        case .guest(.hostKeyChanged(_, _, let fix)):
            return "has another host key than before (\(fix) forgets the old one)"
        case .guest(.noSudo(_, let user)): return "lets \(user) run sudo only with a password"
        case .system(.sshKeyRefused): return "refused the key"
        default: return error.message.split(separator: "\n").first.map(String.init) ?? ""
        }
    }

    /// Small labs get a progress line per change; in large ones a line per guest would drown the terminal.
    private func report(_ results: [(String, Result<[String], VBoxLabError>)], quietWhenUnchanged: Bool)
        throws(VBoxLabError) -> [String]
    {
        let detailed = results.count <= CheckReport.matrixLimit
        var changes: [String] = []
        for (vm, r) in results {
            let out = try r.get()
            if out.isEmpty {
                if !quietWhenUnchanged && detailed { progress("\(vm): already set up; nothing changed") }
                continue
            }
            for line in out {
                if detailed { progress("\(vm): \(line)") }
                changes.append("\(vm): \(line)")
            }
        }
        return changes
    }

    /// What the guest scripts would change, predicted from the guests as observed: the lab
    /// as the provider saw it, with the guests' own side read through their transports
    /// where the provider cannot see it. The same lines, in the same order, as the real run,
    /// by VM; a VM not read (not running, or the lab is new) has no entry.
    func predict(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, observed: LabState?) throws(VBoxLabError)
        -> [String: [String]]
    {
        guard let observed else { return [:] }
        let transports = try provider.transports(spec: spec, record: record)
        defer { closeAll(transports) }
        let seen = LabChecker.withGuests(observed, plan: plan, transports: transports)
        var changes: [String: [String]] = [:]
        for vm in seen.vms where vm.running { changes[vm.name] = GuestDiff.changes(plan, vm: vm.name, seen: vm) }
        return changes
    }
}
