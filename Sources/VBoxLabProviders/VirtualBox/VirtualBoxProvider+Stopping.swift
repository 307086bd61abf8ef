import Foundation
import VBoxLabHost
import VBoxLabModel

/// Stopping a VirtualBox lab: each running VM's ACPI power button, then `poweroff` once the
/// wait is over; with `--save`, `savestate`, which keeps its memory in VirtualBox's own
/// saved-state file. `startvm` (create, start) resumes a saved VM and boots an off one.
extension VirtualBoxProvider: LabStopping {
    public var savesRunningState: Bool { true }

    public func stop(_ record: LabRecord, save: Bool, wait: Double) -> StopOutcome {
        let mine: [String: VBoxVM]
        do { mine = owned(record, in: try inventory()) } catch {
            return StopOutcome(
                lines: [], failed: record.vms.map { VMFailure(vm: $0, reason: error.message) }, record: record)
        }
        let live = record.vms.compactMap { vm in mine[vm].flatMap { $0.running ? (vm, $0.uuid) : nil } }
        let results = parallelMap(live, width: Self.vmsAtOnce) {
            vm, uuid -> Result<String, VBoxLabError> in
            do throws(VBoxLabError) {
                if save {
                    try vbox.write(["controlvm", uuid, "savestate"], timeout: 600)
                    return .success("\(vm): running state saved (savestate)")
                }
                return .success(try powerDown(vm, uuid: uuid, wait: wait))
            } catch {
                return .failure(error)
            }
        }
        var outcome = StopOutcome(lines: [], record: record)
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let line):
                outcome.lines.append(line)
                if save { outcome.saved.append(live[i].0) }
            case .failure(let error): outcome.failed.append(VMFailure(vm: live[i].0, reason: error.message))
            }
        }
        return outcome
    }

    /// The power button, then the plug once `wait` seconds have gone by without the guest stopping.
    private func powerDown(_ vm: String, uuid: String, wait: Double) throws(VBoxLabError) -> String {
        try vbox.write(VBoxManage.acpiPowerButton(uuid))
        if context.dryRun {
            try vbox.write(VBoxManage.powerOff(uuid))
            return "\(vm): would be shut down (ACPI, then off)"
        }
        let deadline = Date().addingTimeInterval(wait)
        while Date() < deadline {
            let state = VBoxParse.machineReadable(try vbox.read(["showvminfo", uuid, "--machinereadable"]))["VMState"]
            if state != "running" && state != "stopping" { return "\(vm): shut down (ACPI)" }
            Thread.sleep(forTimeInterval: 1)
        }
        try vbox.write(VBoxManage.powerOff(uuid))
        return "\(vm): powered off (the guest had not stopped \(Int(wait)) s after the power button)"
    }
}
