import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The QEMU VM as data: the argv that wires it as VirtualBox would, and that argv read back.
@Suite struct QemuMachineTests {
    static let machine = QemuMachine(
        hostName: "lab-b", memory: 512, cpus: 1, accel: "tcg", sshPort: 2223,
        managementMAC: MACAddress("08:00:27:00:00:01")!,
        nics: [
            .init(slot: 2, mac: MACAddress("08:00:27:aa:00:02")!, tap: "vq0000abcd-2"),
            .init(slot: 3, mac: MACAddress("08:00:27:aa:00:03")!, tap: "vq0000abcd-3"),
        ],
        overlay: "/s/qemu/lab/b/disk.qcow2",
        boot: .kernel(kernel: "/i/vmlinuz", initrd: "/i/initrd.img", append: "root=/dev/vda rw"),
        machineID: "00112233445566778899aabbccddeeff", qmp: "/run/vboxlab/qemu-1.qmp",
        pidFile: "/s/qemu/lab/b/qemu.pid", console: "/s/qemu/lab/b/console.log", guestName: "b")

    @Test func argvIsVirtualBoxsLayoutWithARestrictedNAT() {
        #expect(
            Self.machine.argv == [
                "-name", "lab-b", "-accel", "tcg,tb-size=64", "-m", "512", "-smp", "1", "-nodefaults", "-display",
                "none",
                "-daemonize", "-pidfile", "/s/qemu/lab/b/qemu.pid", "-serial", "file:/s/qemu/lab/b/console.log",
                "-qmp", "unix:/run/vboxlab/qemu-1.qmp,server=on,wait=off", "-global",
                "PIIX4_PM.acpi-root-pci-hotplug=off", "-sandbox", "on,obsolete=deny,resourcecontrol=deny",
                "-kernel", "/i/vmlinuz", "-initrd", "/i/initrd.img", "-append",
                "root=/dev/vda rw systemd.machine_id=00112233445566778899aabbccddeeff systemd.hostname=b",
                "-drive", "file=/s/qemu/lab/b/disk.qcow2,if=none,id=d0,format=qcow2", "-device",
                "virtio-blk-pci,drive=d0,addr=0x4",
                "-netdev", "user,id=n1,restrict=on,hostfwd=tcp:127.0.0.1:2223-:22", "-device",
                "e1000,netdev=n1,addr=0x3,mac=08:00:27:00:00:01",
                "-netdev", "tap,id=n2,ifname=vq0000abcd-2,script=no,downscript=no", "-device",
                "e1000,netdev=n2,addr=0x8,mac=08:00:27:aa:00:02",
                "-netdev", "tap,id=n3,ifname=vq0000abcd-3,script=no,downscript=no", "-device",
                "e1000,netdev=n3,addr=0x9,mac=08:00:27:aa:00:03",
            ])
    }

    /// The image's CPU model for TCG goes in ahead of the kernel; without one, QEMU's default stays.
    @Test func anImagesCPUModelJoinsTheArgv() throws {
        var machine = Self.machine
        machine.cpu = "qemu64,+rdrand"
        let at = try #require(Self.machine.argv.firstIndex(of: "-kernel"))
        #expect(
            machine.argv
                == Array(Self.machine.argv[..<at]) + ["-cpu", "qemu64,+rdrand"] + Array(Self.machine.argv[at...]))
        #expect(!Self.machine.argv.contains("-cpu"))
    }

    /// The guest is named for its VM where the name is a hostname label; otherwise the image's name stays.
    @Test func theGuestIsNamedForItsVM() {
        #expect(QemuMachine.hostnameOption("centos-2") == "systemd.hostname=centos-2")
        for name in ["-a", "a-", "a_b", "a.b", "ü", String(repeating: "a", count: 64), ""] {
            #expect(QemuMachine.hostnameOption(name) == nil, "\(name)")
        }
    }

    /// A saved running state loads into the same machine on any ssh port; not into one with
    /// other memory, another NIC MAC or another overlay.
    @Test func aSavedStateFitsTheSameMachineOnAnyForwardPort() {
        let saved = QemuResumePoint(state: "vboxlab-resume", argv: Self.machine.argv)
        var moved = Self.machine
        moved.sshPort = 2299
        #expect(saved.fits(moved))
        #expect(saved.fits(Self.machine))
        var bigger = Self.machine
        bigger.memory = 1024
        var otherMAC = Self.machine
        otherMAC.nics[1].mac = MACAddress("08:00:27:aa:00:09")!
        var otherDisk = Self.machine
        otherDisk.overlay = "/s/qemu/lab/c/disk.qcow2"
        for changed in [bigger, otherMAC, otherDisk] { #expect(!saved.fits(changed)) }
        #expect(
            QemuResumePoint.withoutForwardPort(["-netdev", "user,id=n1,restrict=on,hostfwd=tcp:127.0.0.1:2223-:22"])
                == ["-netdev", "user,id=n1,restrict=on,hostfwd=*"])
    }

    /// vboxlab boots the folder of the recipe scripts/guest-image builds: a script changed
    /// without the code (or the other way) would boot an old image or find none.
    @Test func theImageRecipeIsTheScripts() throws {
        let script = try String(contentsOfFile: "\(packageRoot)/scripts/guest-image", encoding: .utf8)
        #expect(script.contains("\nrecipe=\(QemuImage.recipe)\n"))
        #expect(script.contains(#"out="$dir/debian-12-$variant-r$recipe""#))
        #expect(QemuImage.defaultVariant == "debian-12-networkd-r\(QemuImage.recipe)")
    }

    @Test func slotsTakeVirtualBoxsPCIAddresses() {
        #expect((1...8).map(QemuMachine.pciAddress) == ["0x3", "0x8", "0x9", "0xa", "0x10", "0x11", "0x12", "0x13"])
        #expect(
            (1...8).map(GuestInterfaceName.forSlot) == [
                "enp0s3", "enp0s8", "enp0s9", "enp0s10", "enp0s16", "enp0s17", "enp0s18", "enp0s19",
            ])
    }

    @Test func aRunningArgvReadsBack() throws {
        let seen = try #require(QemuMachine.parse(["qemu-system-x86_64"] + Self.machine.argv))
        #expect(seen.sshPort == 2223)
        #expect(seen.overlay == "/s/qemu/lab/b/disk.qcow2")
        #expect(seen.nics == Self.machine.nics)
        #expect(QemuMachine.parse(["qemu-system-x86_64", "-m", "64"]) == nil)
    }

    @Test func onlyAChangedMACPortOrNICSetNeedsARestart() throws {
        let seen = try #require(QemuMachine.parse(Self.machine.argv))
        #expect(QemuProvider.mustRestart(seen: seen, want: Self.machine) == nil)
        var other = Self.machine
        other.nics[1].mac = MACAddress("08:00:27:aa:00:09")!
        #expect(
            QemuProvider.mustRestart(seen: seen, want: other) == "slot 3: MAC 08:00:27:aa:00:03 → 08:00:27:aa:00:09")
        other = Self.machine
        other.nics.removeLast()
        #expect(QemuProvider.mustRestart(seen: seen, want: other) == "NIC slots 2,3 → 2")
        other = Self.machine
        other.sshPort = 2230
        #expect(QemuProvider.mustRestart(seen: seen, want: other) == "ssh forward 2223 → 2230")
    }

    @Test func processIdentityIsPidAndStartTime() throws {
        let me = try #require(QemuProcess.current(pid: Int(ProcessInfo.processInfo.processIdentifier)))
        #expect(me.isAlive)
        #expect(QemuProcess(identity: me.identity) == me)
        // The same pid with another start time is another process.
        #expect(!QemuProcess(pid: me.pid, started: "1").isAlive)
        #expect(QemuProcess(identity: "garbage") == nil)
    }

    @Test func namesAreShortAndStable() {
        let n = QemuNames(lab: "a-lab-with-a-long-name-of-32-chr", state: "/s", runtime: "/r")
        #expect(n.tap("centos-2", slot: 3).utf8.count <= 15)
        #expect(n.tap("centos-2", slot: 3) != n.tap("centos-1", slot: 3))
        #expect(n.machineID("centos-2").count == 32 && n.machineID("centos-2") != n.machineID("centos-1"))
        #expect(n.overlay("b") == "/s/qemu/a-lab-with-a-long-name-of-32-chr/b/disk.qcow2")
        // A monitor socket path fits in 108 bytes however deep the runtime directory is.
        #expect(n.qmp("b").hasPrefix("/r/qemu-"))
        let deep = QemuNames(lab: "l", state: "/s", runtime: "/" + String(repeating: "d", count: 97))
        #expect(deep.monitorFolder.hasPrefix("/tmp/vboxlab-qemu-") && deep.qmp("b").utf8.count < 108)
    }

    @Test func imageBaseIsReadAndAMissingImageNamesTheFix() throws {
        let spec = try LabLoader.parse(
            Data(
                (#"{ name: "q", base: { image: "nowhere.qcow2" }, vms: [ { name: "a", nics: [ { network: "n", ip: "#
                    + #""10.0.0.1/24" } ] } ] }"#).utf8), file: "/tmp/q.json5")
        #expect(spec.base == .image(file: "nowhere.qcow2"))
        #expect(throws: VBoxLabError.self) { try QemuImage.resolve(spec.base, specFile: spec.file) }
        do { _ = try QemuImage.resolve(nil, specFile: "x", environment: ["VBOXLAB_IMAGES": "/nonexistent"]) } catch {
            #expect(
                error.description.contains("the guest image /nonexistent/debian-12-networkd-r\(QemuImage.recipe)")
                    && error.description.contains("scripts/guest-image"), "\(error)")
        }
    }

    /// Only a probe's answer is kept host-wide: a disk image (its own bootloader, no kernel to
    /// probe with) or a host without /dev/kvm gets TCG for this run and writes nothing.
    @Test func anUnprobedAcceleratorIsNotKept() throws {
        let dir = try CLI.tempDir().path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kept = "\(dir)/qemu-accel"
        let disk = QemuImage(disk: "\(dir)/disk.qcow2", boot: .disk, login: SSHLogin(user: "root", key: nil))
        let runner = RecordingRunner()
        #expect(QemuAccel.choose(program: "qemu-system-x86_64", image: disk, runner: runner, kept: kept) == "tcg")
        #expect(!FileManager.default.fileExists(atPath: kept) && runner.commands.isEmpty)
        // A kept answer is used as it is, with no probe.
        try "kvm".write(toFile: kept, atomically: true, encoding: .utf8)
        #expect(QemuAccel.choose(program: "qemu-system-x86_64", image: disk, runner: runner, kept: kept) == "kvm")
        #expect(runner.commands.isEmpty)
    }
}
