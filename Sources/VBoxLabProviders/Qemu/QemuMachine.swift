import VBoxLabHost
import VBoxLabModel

/// One QEMU VM as VirtualBox would wire it, as data: the argv that starts it, and the
/// same facts read back from a running QEMU's command line (which is what the process
/// really has: its NICs' MACs cannot change while it runs).
public struct QemuMachine: Sendable, Equatable {
    /// One lab NIC: VirtualBox slot, the MAC the NIC carries (what the switch registers
    /// by default), and the tap QEMU makes for it in the root namespace.
    public struct NIC: Sendable, Equatable {
        public var slot: Int
        public var mac: MACAddress
        public var tap: String
    }

    public var hostName: String
    public var memory: Int
    public var cpus: Int
    public var accel: String
    public var sshPort: Int
    /// NIC 1's MAC (VirtualBox's NAT NIC).
    public var managementMAC: MACAddress
    public var nics: [NIC]
    public var overlay: String
    public var boot: QemuImage.Boot
    public var machineID: String
    public var qmp: String
    public var pidFile: String
    public var console: String
    /// The spec's name of the VM: the guest's hostname, where it is one a hostname can be.
    public var guestName: String? = nil
    /// The CPU model the image asks for under TCG (`tcg_cpu`: RDRAND, so the guest's random
    /// pool is ready at boot); nil keeps QEMU's default.
    public var cpu: String? = nil

    /// VirtualBox's PCI layout, so the guest names the NICs as under VirtualBox: NIC 1 at
    /// 0x3 (`enp0s3`), slots 2-4 at 0x8-0xa, slots 5-8 at 0x10-0x13; the disk at 0x4.
    static func pciAddress(slot: Int) -> String {
        "0x" + String(GuestInterfaceName.pciDevice(forSlot: slot), radix: 16)
    }

    public var argv: [String] {
        var a = [
            "-name", hostName, "-accel", accel == "tcg" ? "tcg,tb-size=64" : accel, "-m", String(memory), "-smp",
            String(cpus),
            "-nodefaults", "-display", "none", "-daemonize", "-pidfile", pidFile,
            "-serial", "file:\(console)", "-qmp", "unix:\(qmp),server=on,wait=off",
            // Without it the guest names its NICs ens3.. instead of VirtualBox's enp0s3..
            "-global", "PIIX4_PM.acpi-root-pci-hotplug=off",
            // QEMU runs as root (its taps need it): seccomp denies it obsolete system calls and
            // changing resource limits or priorities. Privilege changes and spawning stay
            // allowed, since -daemonize forks and calls setsid after the filter is in place.
            "-sandbox", "on,obsolete=deny,resourcecontrol=deny",
        ]
        if let cpu { a += ["-cpu", cpu] }
        if case .kernel(let kernel, let initrd, let append) = boot {
            let hostname = guestName.flatMap(Self.hostnameOption).map { " \($0)" } ?? ""
            a += [
                "-kernel", kernel, "-initrd", initrd, "-append", "\(append) systemd.machine_id=\(machineID)\(hostname)",
            ]
        }
        a += ["-drive", "file=\(overlay),if=none,id=d0,format=qcow2", "-device", "virtio-blk-pci,drive=d0,addr=0x4"]
        // restrict=on: NIC 1 reaches nothing outside; only the ssh forward on 127.0.0.1 reaches it.
        a += [
            "-netdev", "user,id=n1,restrict=on,hostfwd=tcp:127.0.0.1:\(sshPort)-:22",
            "-device", "e1000,netdev=n1,addr=\(Self.pciAddress(slot: 1)),mac=\(managementMAC)",
        ]
        for n in nics {
            a += [
                "-netdev", "tap,id=n\(n.slot),ifname=\(n.tap),script=no,downscript=no",
                "-device", "e1000,netdev=n\(n.slot),addr=\(Self.pciAddress(slot: n.slot)),mac=\(n.mac)",
            ]
        }
        return a
    }

    /// systemd's kernel option that names the guest at early boot, ahead of the image's
    /// /etc/hostname; nil for a name that is no hostname label (the image's name stays).
    static func hostnameOption(_ name: String) -> String? {
        let ok =
            (1...63).contains(name.count) && !name.hasPrefix("-") && !name.hasSuffix("-")
            && name.utf8.allSatisfy {
                (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45
            }
        return ok ? "systemd.hostname=\(name)" : nil
    }

    /// What a running QEMU's argv says of it: the ssh forward, the overlay and each lab
    /// NIC's MAC and tap. nil when it is not an argv this provider wrote.
    public struct Running: Sendable, Equatable {
        public var sshPort: Int
        public var overlay: String?
        public var nics: [NIC]
    }

    public static func parse(_ argv: [String]) -> Running? {
        var port: Int?
        var overlay: String?
        var taps: [String: String] = [:]
        var nics: [NIC] = []
        for (option, value) in zip(argv, argv.dropFirst()) {
            let fields = keyValues(value)
            switch option {
            case "-netdev" where value.hasPrefix("user,"):
                if let fwd = fields["hostfwd"],
                    let p = fwd.split(separator: ":").dropFirst(2).first?.split(separator: "-").first
                {
                    port = Int(p)
                }
            case "-netdev" where value.hasPrefix("tap,"):
                if let id = fields["id"], let tap = fields["ifname"] { taps[id] = tap }
            case "-drive":
                overlay = fields["file"]
            case "-device" where value.hasPrefix("e1000,"):
                guard let id = fields["netdev"], id != "n1", let slot = Int(id.dropFirst()),
                    let mac = fields["mac"].flatMap(MACAddress.init),
                    let tap = taps[id]
                else { continue }
                nics.append(NIC(slot: slot, mac: mac, tap: tap))
            default: continue
            }
        }
        guard let port else { return nil }
        return Running(sshPort: port, overlay: overlay, nics: nics.sorted { $0.slot < $1.slot })
    }

    private static func keyValues(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in s.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { out[String(kv[0])] = String(kv[1]) }
        }
        return out
    }
}
