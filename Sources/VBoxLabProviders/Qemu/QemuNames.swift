import Foundation
import VBoxLabHost
import VBoxLabModel

/// Where a QEMU lab's things live on the host. Taps are made by QEMU in the root
/// namespace under a short name of their own (the kernel allows 15 bytes) and renamed to
/// their switch port's name as they move into the lab's switch namespace.
public struct QemuNames: Sendable {
    public let lab: String
    /// The state directory's folder for this provider.
    public let root: String
    /// The runtime directory, for the monitor sockets (a socket path must stay short).
    public let runtime: String

    public init(lab: String, state: String, runtime: String) {
        self.lab = lab
        root = "\(state)/qemu"
        self.runtime = runtime
    }

    /// A VM's folder: its overlay disk, pid file and console log.
    public func folder(_ vm: String) -> String { "\(root)/\(lab)/\(vm)" }

    /// A VM's folder when a record names the VM: only a plain name whose folder lies inside
    /// the lab's, so a record (a file anyone with the state directory could edit) never leads
    /// vboxlab to delete anything outside what it made. nil for any other name.
    public func ownedFolder(_ vm: String) -> String? {
        guard let lab = ownedLabFolder, Self.isPlain(vm) else { return nil }
        let folder = (self.folder(vm) as NSString).standardizingPath
        return folder.hasPrefix(lab + "/") ? folder : nil
    }

    /// The lab's folder, when the lab's name is a plain name (a record names it too).
    public var ownedLabFolder: String? {
        Self.isPlain(lab) ? (labFolder as NSString).standardizingPath : nil
    }

    static func isPlain(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }
    public var labFolder: String { "\(root)/\(lab)" }
    public func overlay(_ vm: String) -> String { "\(folder(vm))/disk.qcow2" }
    public func pidFile(_ vm: String) -> String { "\(folder(vm))/qemu.pid" }
    public func console(_ vm: String) -> String { "\(folder(vm))/console.log" }

    private func hash(_ vm: String) -> String {
        let h = String(fnv1a("\(lab)/\(vm)") & 0xFFFF_FFFF, radix: 16)
        return String(repeating: "0", count: 8 - h.count) + h
    }

    public func qmp(_ vm: String) -> String { "\(monitorFolder)/qemu-\(hash(vm)).qmp" }

    /// Where the monitor sockets are: the runtime directory, or a short folder of this user's
    /// under /tmp when the runtime path is too long for a socket (108 bytes with its name).
    public var monitorFolder: String {
        if runtime.utf8.count + 22 <= 104 { return runtime }
        return "/tmp/vboxlab-qemu-\(Privileges.realUID)-\(String(fnv1a(runtime) & 0xFFFF_FFFF, radix: 16))"
    }

    /// The tap of a VM's NIC while it is in the root namespace: `vq` and a hash of lab and VM.
    public func tap(_ vm: String, slot: Int) -> String { "vq\(hash(vm))-\(slot)" }

    /// A machine-id of the VM's own (clones of one image must not share one), stable
    /// across restarts: 128 bits from the lab and VM names.
    public func machineID(_ vm: String) -> String {
        (0..<4).map { i in
            let h = String(fnv1a("machine-id/\(i)/\(lab)/\(vm)") & 0xFFFF_FFFF, radix: 16)
            return String(repeating: "0", count: 8 - h.count) + h
        }.joined()
    }
}
