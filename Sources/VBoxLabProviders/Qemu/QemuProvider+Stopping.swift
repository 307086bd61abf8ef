import Foundation
import VBoxLabHost
import VBoxLabModel

/// Stopping a QEMU lab: each VM's power button (then its plug), or with `--save` its
/// running state written into its own overlay (`savevm`) before QEMU quits. The overlays,
/// the switch and the record stay; `start` (create) starts each VM again, a saved one
/// with `-loadvm`, so it resumes where it was.
extension QemuProvider: LabStopping {
    /// The internal snapshot of a VM's overlay that holds the running state `stop --save` kept.
    static let resumeState = "vboxlab-resume"
    /// The longest a `savevm` may take: under TCG a guest's memory is written at disk speed.
    static let saveLimit = 300.0

    public var savesRunningState: Bool { true }

    public func stop(_ record: LabRecord, save: Bool, wait: Double) -> StopOutcome {
        let live = runningVMs(record)
        let results = parallelMap(live, width: Parallelism.reads) {
            vm, process -> (line: String, saved: Bool, failed: String?) in
            if context.dryRun {
                return ("\(vm): would be \(save ? "saved (savevm) and stopped" : "shut down (ACPI)")", save, nil)
            }
            if save {
                let said = QMP.humanMonitor(
                    "savevm \(Self.resumeState)", socket: names(record.lab).qmp(vm), timeout: Self.saveLimit)
                guard said == "" else {
                    return ("", false, "savevm failed: \(said?.escapedOnOneLine ?? "the monitor did not answer")")
                }
                keepResumePoint(
                    QemuResumePoint(state: Self.resumeState, argv: Self.machineArgv(process)), vm: vm, lab: record.lab)
                stop(vm, process: process, lab: record.lab, gently: false)
                return ("\(vm): running state saved, stopped", true, nil)
            }
            stop(vm, process: process, lab: record.lab, gently: true, wait: wait)
            return (
                "\(vm): shut down", false, process.isAlive ? "still running after the power button and a kill" : nil
            )
        }
        var outcome = StopOutcome(lines: [], record: record)
        for (i, r) in results.enumerated() {
            if let why = r.failed {
                outcome.failed.append(VMFailure(vm: live[i].vm, reason: why))
            } else {
                outcome.lines.append(r.line)
                if r.saved { outcome.saved.append(live[i].vm) }
            }
        }
        return outcome
    }
}

extension QemuProvider {
    /// Starts a VM: from the running state it was stopped (or restored) to when there is one
    /// for this machine, else (or when QEMU cannot load it) by booting. `lostState`: the VM
    /// had a running state kept at rest and was booted instead.
    func startOrResume(_ design: QemuMachine, vm: String, image: QemuImage, record: LabRecord)
        throws(VBoxLabError) -> (process: QemuProcess?, lostState: Bool)
    {
        let lab = record.lab
        guard record.rest?.saved.contains(vm) == true else {
            return (try start(design, vm: vm, image: image, lab: lab), false)
        }
        guard let point = resumePoint(vm, lab: lab) else {
            return (try start(design, vm: vm, image: image, lab: lab), true)
        }
        // QEMU restores a machine only into the same machine: a spec changed meanwhile boots it afresh.
        guard point.fits(design) else {
            progress("\(vm): its saved state is of a machine the spec has changed since; booting it")
            return (try start(design, vm: vm, image: image, lab: lab), true)
        }
        do {
            let process = try start(design, vm: vm, image: image, lab: lab, resume: point.state)
            if !context.dryRun {
                // The state stop --save kept has served; a snapshot's stays, for the next restore.
                if point.state == Self.resumeState {
                    _ = QMP.humanMonitor("delvm \(Self.resumeState)", socket: names(lab).qmp(vm), timeout: 60)
                }
                dropResumePoint(vm, lab: lab)
            }
            progress("\(vm): resumed from its saved state")
            return (process, false)
        } catch {
            // The ssh port taken meanwhile is the caller's to retry with another; the state is not at fault.
            if case .system(.commandFailed(_, _, let said)) = error, said.contains(QemuProcess.forwardRefused) {
                throw error
            }
            progress("\(vm): its saved state could not be loaded (\(error.message.escapedOnOneLine)); booting it")
            return (try start(design, vm: vm, image: image, lab: lab), true)
        }
    }
}
