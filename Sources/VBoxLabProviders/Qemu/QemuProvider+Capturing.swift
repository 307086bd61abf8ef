import Foundation
import VBoxLabHost
import VBoxLabModel

/// A QEMU NIC's frames: its tap, a port of the lab's registering switch.
extension QemuProvider: NICCapturing {
    public func nicCapture(_ nic: PlannedNIC, lab: String, how: CaptureRequest) throws(VBoxLabError) -> NICCaptureWay {
        .program(RegisteringSwitch(lab: lab).portCapture(nic, how: how))
    }
}
