import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

extension LabLifecycle {
    /// The NIC a capture names: `VM` (its only lab NIC), `VM:SLOT` or `VM:NETWORK`.
    public func captureTarget(_ word: String) throws(VBoxLabError) -> PlannedNIC {
        let spec = try found.requireSpec()
        let plan = try Solver.plan(spec, strategy: found.record?.builtWith)
        let parts = word.split(separator: ":", maxSplits: 1).map(String.init)
        let vm = parts.first ?? word
        guard spec.vm(named: vm) != nil else {
            throw .lab(.noSuchVM(lab: found.name, vm: vm, vms: spec.vms.map(\.name)))
        }
        let nics = plan.nics(of: vm)
        let listed = nics.map { "\(vm):\($0.slot) (\($0.network))" }.joined(separator: ", ")
        let chosen: [PlannedNIC]
        if parts.count == 2 {
            chosen = nics.filter { String($0.slot) == parts[1] || $0.network == parts[1] }
        } else {
            chosen = nics
        }
        guard chosen.count == 1 else {
            let why =
                nics.isEmpty
                ? "\(vm) has no lab NIC"
                : parts.count == 2 ? "\(vm) has no NIC \(parts[1])" : "\(vm) has several lab NICs"
            throw .usage(
                message: "\(why); name one: \(listed.isEmpty ? "none" : listed)",
                usage: "vboxlab capture [LAB] VM[:SLOT|NETWORK] [-w FILE] [-c COUNT] [FILTER...]")
        }
        return chosen[0]
    }

    /// The program that captures `nic` as asked, on a lab that runs; run it on this terminal.
    public func capture(_ nic: PlannedNIC, how: CaptureRequest) throws(VBoxLabError) -> NICCaptureWay {
        guard let record = found.record else { throw .lab(.notCreated(lab: found.name, provider: provider.name)) }
        if let rest = record.rest { throw .lab(.atRest(lab: found.name, since: rest.since, command: "capture")) }
        guard let capturing = provider as? NICCapturing else {
            throw .lab(
                .notSupported(
                    provider: provider.name, what: "capture a NIC",
                    instead: "vboxlab check \(found.word) --capture shows where a failing pair's frame is lost"))
        }
        try provider.checkPrerequisites(pinging: false)
        let way = try capturing.nicCapture(nic, lab: found.name, how: how)
        if case .program(let c) = way, ProcessRunner.resolve(c.program == "ip" ? "tcpdump" : c.program) == nil {
            throw .missing(what: "'tcpdump'", fix: ProcessRunner.installHint("tcpdump"))
        }
        return way
    }
}
