import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

@Test func qemuGateHoldsWhereRequired() {
    if QemuGate.required { #expect(QemuGate.reason == nil, "VBOXLAB_REQUIRE_QEMU=1 but: \(QemuGate.reason ?? "")") }
}

/// Real guests: Debian VMs under QEMU (TCG where KVM does not work), with a real kernel
/// bridge, sshd, systemd-networkd or NetworkManager, wired as VirtualBox wires them onto the
/// lab's registering switch. Each test boots one set of VMs and removes them, even when it
/// fails. Guests reach nothing but their lab and the ssh forward on 127.0.0.1 (restrict=on).
@Suite(.serialized, .enabled(if: QemuGate.available, "needs root, QEMU and the guest images (scripts/guest-image)"))
struct QemuGuestTests {
    /// The seed as VirtualBox gives it fails with the registering switch's cause; fix-macs
    /// restarts only the VM whose NIC MACs must change and the check passes; the setup made
    /// persistent survives a reboot of the bridge VM.
    @Test func seedFailsThenFixMacsMendsItAndPersistSurvivesAReboot() throws {
        let lab = "vt-qseed"
        let place = try QemuPlace(lab: lab, bundled: "bridge-lab")
        defer { place.cleanup() }

        let created = try place.run(["create", lab, "--provider", "qemu", "--strategy", "none"])
        #expect(created.status == 1, "\(created.stderr)")
        #expect(created.stdout.contains("\(lab): 0 of 2 pairs reached"), "\(created.stdout)\(created.stderr)")
        #expect(
            created.stdout.contains("centos-3's ARP reply to") && created.stdout.contains("is dropped on intnet-2"),
            "\(created.stdout)")
        // The switch's ports, listened on while the pair pings again from inside its guest, see the drop.
        let captured = try place.run(["check", lab, "--pair", "centos-1", "centos-3", "--capture"])
        #expect(
            captured.status == 1 && captured.stdout.contains("last entered intnet-2 from centos-3 slot 2")
                && captured.stdout.contains("agrees with the model"), "\(captured.stdout)\(captured.stderr)")
        // Each clone made its own host key on first boot: trust on first use means something.
        let keys = try place.hostKeys()
        #expect(keys.count == 3 && Set(keys).count == 3, "\(keys)")
        let pids = place.qemuPids()
        #expect(pids.count == 3)

        let fixed = try place.run(["fix-macs", lab, "--restart"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stderr.contains("centos-2: shutting down to change it"), "\(fixed.stderr)")
        #expect(!fixed.stderr.contains("centos-1: shutting down") && !fixed.stderr.contains("centos-3: shutting down"))
        #expect(place.qemuPids().filter { pids.contains($0) }.count == 2, "only centos-2 was restarted")
        let passing = try place.run(["check", lab])
        #expect(passing.status == 0, "\(passing.stdout)\(passing.stderr)")
        #expect(passing.stdout.contains("\(lab): 2 of 2 pairs reached"))

        let persisted = try place.run(["ssh-setup", "centos-2", "--persist"])
        #expect(persisted.status == 0, "\(persisted.stderr)")
        let bootID = try place.run(["ssh", "centos-2", "--", "cat", "/proc/sys/kernel/random/boot_id"]).stdout
        _ = try place.run(["ssh", "centos-2", "--", "systemctl", "reboot"])
        #expect(try place.waitForNewBoot(vm: "centos-2", old: bootID), "centos-2 did not come back from its reboot")
        let again = try place.run(["check", lab])
        #expect(again.status == 0, "after the reboot: \(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("\(lab): 2 of 2 pairs reached"))

        let destroyed = try place.run(["destroy", lab])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(place.qemuPids().isEmpty, "a QEMU of the lab outlived destroy")
        #expect(!HostNamespaces.namespaces().contains("vbl-\(lab)-sw"))
        #expect(!FileManager.default.fileExists(atPath: place.qemuFolder), "overlays outlived destroy")
        let taps = try ProcessRunner().check(Command("ip", ["-br", "link", "show"])).stdout
        #expect(!taps.contains(QemuNames(lab: lab, state: "", runtime: "").tap("centos-1", slot: 2)))
    }

    /// NetworkManager, as on a desktop guest, grabs every NIC; the guest setup keeps it
    /// off the lab's NICs and the seed passes.
    @Test func seedPassesOnTheNetworkManagerImage() throws {
        let lab = "vt-qnm"
        let place = try QemuPlace(lab: lab, bundled: "bridge-lab", image: QemuGate.networkManagerImage)
        defer { place.cleanup() }
        let created = try place.run(["create", lab, "--provider", "qemu"])
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        #expect(created.stdout.contains("\(lab): 2 of 2 pairs reached"))
        let devices = try place.run(["ssh", "centos-2", "--", "nmcli", "-t", "-f", "DEVICE,STATE", "device"])
        #expect(
            devices.stdout.contains("enp0s8:unmanaged") && devices.stdout.contains("enp0s9:unmanaged"),
            "\(devices.stdout)\(devices.stderr)")
        #expect(devices.stdout.contains("enp0s3:connected"), "NetworkManager still runs NIC 1: \(devices.stdout)")
    }

    /// Three hosts behind one bridge: every port promiscuous (the switch floods unknown
    /// unicast to it), and every pair passes. Each guest's hostname is its VM's name.
    @Test func hubLabPassesPromiscuous() throws {
        let lab = "vt-qhub"
        let place = try QemuPlace(lab: lab, bundled: "hub-lab")
        defer { place.cleanup() }
        let created = try place.run(["create", lab, "--provider", "qemu"])
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        #expect(created.stdout.contains("\(lab): 6 of 6 pairs reached"), "\(created.stdout)")
        let status = try place.run(["status", lab, "--json"])
        let policies = Set(try place.ports(status.stdout, vm: "hub").map(\.policy))
        #expect(!policies.isEmpty && !policies.contains("deny"), "\(status.stdout)")
        // Each guest is named for its VM, not for the image it was cloned from.
        for vm in ["hub", "h1"] {
            let name = try place.run(["ssh", vm, "--", "hostname"])
            #expect(name.status == 0 && name.stdout == "\(vm)\n", "\(vm): \(name.stdout)\(name.stderr)")
        }
        // Under TCG the image's CPU has RDRAND (recipe 5): the random pool is ready before the
        // initramfs runs, so nothing on the way to ssh waits for entropy.
        if (try? String(contentsOfFile: QemuAccel.kept, encoding: .utf8)) != "kvm" {
            let kernel = try place.run(["ssh", "hub", "--", "dmesg"]).stdout.split(separator: "\n")
            let ready = kernel.firstIndex { $0.contains("random: crng init done") }
            let initramfs = kernel.firstIndex { $0.contains("Run /init as init process") }
            #expect(ready != nil && initramfs != nil && ready! < initramfs!, "\(kernel.prefix(60))")
        }
    }

    /// QEMU's options are comma-separated: a state directory with a comma is refused before
    /// anything is made, with the path and what to do.
    @Test func aCommaInTheStatePathIsRefusedFirst() throws {
        let lab = "vt-qcomma"
        let place = try QemuPlace(lab: lab, bundled: "bridge-lab")
        defer { place.cleanup() }
        let state = "\(place.place.dir)/st,ate"
        let binary = try #require(CLI.executable, "no built vboxlab")
        let env = place.place.env.merging(["XDG_STATE_HOME": state, "XDG_RUNTIME_DIR": place.runtime]) { $1 }
        let r = try ProcessRunner().run(
            Command(
                "env", ["-C", place.place.dir, binary, "create", lab, "--provider", "qemu"], environment: env,
                timeout: 120))
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("\(state)/vboxlab cannot be used: QEMU's options are comma-separated"), "\(r.stderr)")
        #expect(place.qemuPids().isEmpty)
    }
}
