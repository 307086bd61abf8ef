import Foundation
import VBoxLabHost
import VBoxLabModel

extension OwnedObject.Kind {
    /// A QEMU process, identified by its pid and start time.
    public static let qemuVM = OwnedObject.Kind(rawValue: "qemu-vm")
    /// A VM's overlay disk: the VM's name, the file's path as its identity.
    public static let qemuDisk = OwnedObject.Kind(rawValue: "qemu-disk")
    /// A VM's ssh forward: the VM's name, `127.0.0.1:PORT`.
    public static let qemuForward = OwnedObject.Kind(rawValue: "qemu-ssh")
    /// A lab NIC's tap: its name in the root namespace, `VM/SLOT` (its port in the switch).
    public static let qemuTap = OwnedObject.Kind(rawValue: "qemu-tap")
}

/// What a QEMU lab's record keeps of each VM: the process, its overlay, its forward and its
/// taps, written as soon as the process is known, so a stopped run, `list` and `destroy`
/// see every one of them.
extension LabRecord {
    mutating func recordQemu(_ vm: String, process: QemuProcess?, machine: QemuMachine) {
        forgetQemu(vm)
        owned.append(OwnedObject(kind: .qemuVM, name: vm, id: process?.identity))
        owned.append(OwnedObject(kind: .qemuDisk, name: vm, id: machine.overlay))
        owned.append(OwnedObject(kind: .qemuForward, name: vm, id: "127.0.0.1:\(machine.sshPort)"))
        owned += machine.nics.map { OwnedObject(kind: .qemuTap, name: $0.tap, id: "\(vm)/\($0.slot)") }
    }

    mutating func forgetQemu(_ vm: String) {
        owned.removeAll { o in
            ([.qemuVM, .qemuDisk, .qemuForward].contains(o.kind) && o.name == vm)
                || (o.kind == .qemuTap && o.id?.hasPrefix("\(vm)/") == true)
        }
    }

    /// The overlay recorded for a VM.
    func qemuOverlay(_ vm: String) -> String? { owns(.qemuDisk, named: vm)?.id }

    /// The ssh port recorded for a VM.
    func qemuPort(_ vm: String) -> Int? {
        owns(.qemuForward, named: vm)?.id?.split(separator: ":").last.flatMap { Int($0) }
    }
}
