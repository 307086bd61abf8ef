import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A persisted real guest over days: a check during its reboot, a change by hand, a new plan.
extension QemuGuestTests {
    /// A check while centos-2 reboots never calls it a guest without its setup; `ssh-setup
    /// --persist` passes on a guest rebooted and changed by hand; after fix-macs changes its
    /// MACs, a reboot brings back the new ones (its files followed), and check passes.
    @Test func aPersistedGuestThroughRebootsHandChangesAndANewPlan() throws {
        func dirname(_ path: String) -> String { (path as NSString).deletingLastPathComponent }
        let lab = "vt-qdays"
        let place = try QemuPlace(lab: lab, bundled: "bridge-lab")
        defer { place.cleanup() }
        let created = try place.run(["create", lab, "--provider", "qemu"])
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        #expect(try place.run(["ssh-setup", "centos-2", "--persist"]).status == 0)

        var bootID = try place.run(["ssh", "centos-2", "--", "cat", "/proc/sys/kernel/random/boot_id"]).stdout
        // The image boots fast enough that a reboot can end between two checks (CI saw none catch
        // it): after this one, centos-2's sshd waits 45 s more, so checks surely meet it down.
        let late = "/etc/systemd/system/ssh.service.d/vboxlab-test-late.conf"
        let slowed = try place.run([
            "ssh", "centos-2", "--",
            "mkdir -p \(dirname(late)) && printf '[Service]\\nExecStartPre=/bin/sleep 45\\n' > \(late)",
        ])
        #expect(slowed.status == 0, "\(slowed.stderr)")
        _ = try place.run(["ssh", "centos-2", "--", "systemctl", "reboot"])
        // Checks until one catches centos-2 down: none may call it a guest without its setup.
        var caught: String?
        var statuses: [String] = []
        let deadline = Date().addingTimeInterval(300)
        while caught == nil && Date() < deadline {
            let during = try place.run(["check", lab, "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(during.stdout.utf8)) as? [String: Any]
            let causes = Set((object?["pairs"] as? [[String: Any]] ?? []).compactMap { $0["cause"] as? String })
            // The window once missed: the guest shows no NIC by any of its MACs, then its state
            // cannot be asked (ssh times out as it goes down): unreachable, never "not set up".
            #expect(!causes.contains("guest-not-set-up"), "\(during.stdout)\(during.stderr)")
            statuses.append("exit \(during.status): \(during.stderr.suffix(300))")
            if during.status == 1 { caught = during.stdout } else { Thread.sleep(forTimeInterval: 1) }
        }
        #expect(
            caught != nil, "no check caught centos-2 down; \(statuses.count) checks, the first: \(statuses.prefix(6))")
        #expect(try place.waitForNewBoot(vm: "centos-2", old: bootID), "centos-2 did not come back")
        #expect(try place.run(["ssh", "centos-2", "--", "rm \(late) && systemctl daemon-reload"]).status == 0)
        #expect(try place.run(["check", lab]).status == 0, "the persisted setup came back")

        // Changed by hand: an address of its own and a port out of the bridge; --persist puts it right.
        _ = try place.run(["ssh", "centos-2", "--", "ip addr add 10.9.9.9/24 dev br0; ip link set enp0s9 nomaster"])
        let persisted = try place.run(["ssh-setup", "centos-2", "--persist"])
        #expect(persisted.status == 0, "\(persisted.stdout)\(persisted.stderr)")
        #expect(try place.run(["check", lab]).status == 0)

        // A new plan: fix-macs restarts centos-2 with other MACs and rewrites its files; a reboot keeps them.
        let promisc = try Solver.plan(try LabLoader.load("\(place.place.dir)/labs/\(lab).json5"), strategy: .promisc)
        let mac = promisc.nic(NICRef(vm: "centos-2", slot: 2))!.guestMac
        let fixed = try place.run(["fix-macs", lab, "--strategy", "promisc", "--restart"])
        #expect(fixed.status == 0 && fixed.stdout.contains("centos-2: wrote "), "\(fixed.stdout)\(fixed.stderr)")
        bootID = try place.run(["ssh", "centos-2", "--", "cat", "/proc/sys/kernel/random/boot_id"]).stdout
        _ = try place.run(["ssh", "centos-2", "--", "systemctl", "reboot"])
        #expect(try place.waitForNewBoot(vm: "centos-2", old: bootID), "centos-2 did not come back")
        let seen = try place.run(["ssh", "centos-2", "--", "cat", "/sys/class/net/enp0s8/address"])
        #expect(seen.stdout == "\(mac)\n", "\(seen.stdout)\(seen.stderr)")
        let after = try place.run(["check", lab])
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")

        // A guest long up whose sshd is gone is not waited for as if it were booting.
        _ = try place.run(["ssh", "centos-1", "--", "systemctl stop ssh.service"])
        let started = Date()
        let silent = try place.run(["fix-macs", lab, "--strategy", "promisc"], environment: ["VBOXLAB_SSH_WAIT": "30"])
        #expect(silent.status == 1, "\(silent.stdout)\(silent.stderr)")
        #expect(
            silent.stderr.contains("up, not answering") && silent.stderr.contains("centos-1 did not answer ssh")
                && silent.stderr.contains("within 30 s"),
            "\(silent.stderr)")
        #expect(Date().timeIntervalSince(started) < 300)
    }
}
