import Foundation
import VBoxLabHost
import VBoxLabModel

/// A provider ability: a lab's VMs can be shut down and kept, so the lab comes back the
/// next day as it was. Starting again is create's own work (it starts every VM that does
/// not run); what this adds is the stop, and where the provider can, the running state kept.
public protocol LabStopping: LabProvider {
    /// Whether `stop --save` keeps a VM's running state here (memory, devices, uptime).
    var savesRunningState: Bool { get }
    /// Shuts every running VM of the record down: gently (ACPI), then off once `wait`
    /// seconds have passed; with `save`, its running state kept instead. Each VM is tried
    /// whatever became of the others; the outcome says which are down and which are not.
    func stop(_ record: LabRecord, save: Bool, wait: Double) -> StopOutcome
}

/// What `stop` did, VM by VM.
public struct StopOutcome: Sendable, Equatable {
    /// One line per VM, in the record's order: what became of it.
    public var lines: [String]
    /// VMs whose running state was saved.
    public var saved: [String]
    /// VMs still running after the attempt, with what the system said.
    public var failed: [VMFailure]
    /// Said once, about the provider's way of stopping (netns: nothing runs to keep).
    public var note: String?
    /// The record as the stop leaves it (netns drops the namespaces it removed).
    public var record: LabRecord

    public init(
        lines: [String], saved: [String] = [], failed: [VMFailure] = [], note: String? = nil, record: LabRecord
    ) {
        self.lines = lines
        self.saved = saved
        self.failed = failed
        self.note = note
        self.record = record
    }
}
