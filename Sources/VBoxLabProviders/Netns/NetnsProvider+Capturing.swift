import Foundation
import VBoxLabHost
import VBoxLabModel

/// A netns NIC's frames: its port on the lab's registering switch.
extension NetnsProvider: NICCapturing {
    public func nicCapture(_ nic: PlannedNIC, lab: String, how: CaptureRequest) throws(VBoxLabError) -> NICCaptureWay {
        .program(RegisteringSwitch(lab: lab).portCapture(nic, how: how))
    }
}
