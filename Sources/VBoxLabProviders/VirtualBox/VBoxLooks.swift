import Foundation
import VBoxLabHost
import VBoxLabModel

/// The reads that tell whether a VBoxManage write is done while its process has not exited
/// (VirtualBox's client can sit 10 s in its own exit; see `SettledCheck`). Each is one plain
/// read, made without retries: a read that fails or stalls only means "not known yet", and
/// the write's own process is waited for as before.
struct VBoxLooks: Sendable {
    let vbox: VBoxManage

    private func output(_ args: [String]) -> String? { vbox.lookingRead(args)?.stdout }

    /// A clone or import with this UUID is registered (its last step).
    func listed(_ uuid: String) -> @Sendable () -> Bool {
        { output(["list", "vms"]).map { VBoxParse.vmList($0).contains { $0.uuid == uuid } } ?? false }
    }

    /// The VM is running: `startvm` did its work.
    func running(_ uuid: String) -> @Sendable () -> Bool {
        { output(["list", "runningvms"]).map { VBoxParse.vmList($0).contains { $0.uuid == uuid } } ?? false }
    }

    /// The VM shows its design (group and lab NICs): its one `modifyvm` is saved, since
    /// VirtualBox shows a session's changes only once they are saved together.
    func designed(_ uuid: String, _ design: VMDesign) -> @Sendable () -> Bool {
        {
            guard let text = output(["showvminfo", uuid]), let seen = VBoxParse.inventory(text).first else {
                return false
            }
            return seen.uuid == uuid && design.diff(seen).changes.isEmpty
        }
    }
}

extension VirtualBoxProvider {
    var looks: VBoxLooks { VBoxLooks(vbox: vbox) }
}
