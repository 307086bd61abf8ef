import Foundation
import VBoxLabHost
import VBoxLabModel

/// A VirtualBox NIC's frames: its NIC trace (`controlvm VM nictracefileN FILE`, then
/// `nictraceN on`), which VirtualBox writes as pcap while the VM runs, switched off again
/// when the capture ends. The trace has every frame the NIC receives and sends; a filter is
/// Wireshark's (or `tcpdump -r FILE FILTER`) afterwards.
extension VirtualBoxProvider: NICCapturing {
    public func nicCapture(_ nic: PlannedNIC, lab: String, how: CaptureRequest) throws(VBoxLabError) -> NICCaptureWay {
        guard let record = try context.store.record(lab), let vm = owned(record, in: try inventory())[nic.vm] else {
            throw .lab(.notCreated(lab: lab, provider: name))
        }
        guard vm.running else {
            throw .lab(.vmNotRunning(lab: lab, vm: nic.vm, state: vm.state))
        }
        let folder = "\(context.store.state)/traces"
        try PrivateDirectory.ensure(folder)
        let file = "\(folder)/\(lab)-\(nic.vm)-\(nic.slot).pcap"
        unlink(file)  // VirtualBox appends to nothing: a trace of this run only
        return .traceFile(
            file: file,
            start: [
                vbox.command(["controlvm", vm.uuid, "nictracefile\(nic.slot)", file]),
                vbox.command(["controlvm", vm.uuid, "nictrace\(nic.slot)", "on"]),
            ],
            stop: [vbox.command(["controlvm", vm.uuid, "nictrace\(nic.slot)", "off"])])
    }
}
