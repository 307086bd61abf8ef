import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

@Test func sshTestsRunWhereRequired() {
    if SSHGate.required { #expect(SSHGate.reason == nil, "VBOXLAB_REQUIRE_SSH=1 but: \(SSHGate.reason ?? "")") }
}

/// The ssh transport against real OpenSSH, in namespaces of the tests' own.
@Suite(.serialized, .enabled(if: SSHGate.available, "needs root, network namespaces and openssh-server"))
struct SSHTests {
    /// The seed built without setup; ssh-setup of each VM over real ssh sets up the bridge and the
    /// addresses, the kernel's ping crosses both ways, a second run changes nothing, check passes over ssh.
    @Test func sshSetupOverRealSSH() throws {
        let s = try SSHPlace()
        defer { s.cleanup(labs: ["vt-ssh"]) }
        try s.writeSeed("vt-ssh")
        let create = try s.run(["create", "--provider", "netns", "--no-setup"])
        #expect(create.status == 0, "\(create.stderr)")
        for vm in ["centos-1", "centos-2", "centos-3"] {
            let r = try s.run(["ssh-setup", vm])
            #expect(r.status == 0, "\(vm): \(r.stderr)")
            #expect(
                r.stderr.contains(
                    "vboxlab: pushing the guest setup of \(vm) through ssh root@\(vm) (through ProxyCommand)"),
                "\(r.stderr)")
            #expect(r.stdout.hasSuffix(" changes\n") || r.stdout.hasSuffix(" change\n"), "\(r.stdout)")
        }
        #expect(kernelPing("vt-ssh", from: "centos-1", "1.1.1.10", to: "1.1.1.20"))
        #expect(kernelPing("vt-ssh", from: "centos-3", "1.1.1.20", to: "1.1.1.10"))
        let again = try s.run(["ssh-setup", "centos-2"])
        #expect(
            again.status == 0 && again.stdout == "centos-2: already set up; nothing changed\n",
            "\(again.stdout)\(again.stderr)")
        let check = try s.run(["check"])
        #expect(
            check.status == 0 && check.stdout.hasPrefix("vt-ssh: 2 of 2 pairs reached"),
            "\(check.stdout)\(check.stderr)")
        let one = try s.run(["ssh", "centos-1", "--", "ip", "-br", "-4", "addr", "show", "dev", "enp0s8"])
        #expect(one.status == 0 && one.stdout.contains("1.1.1.10/24"), "\(one.stdout)\(one.stderr)")
        let known = try String(contentsOfFile: "\(s.place.state)/vboxlab/known_hosts/vt-ssh", encoding: .utf8)
        #expect(known.split(separator: "\n").count == 3)
        // destroy forgets the lab's host keys, and the folder of its ssh connections goes (a
        // lab reached through a NAT forward shares connections there; this one's is made here).
        let runtime = StatePaths.fromEnvironment(s.place.env).runtime
        let control = ProviderContext.sshControlDirectory("vt-ssh", runtime: runtime)
        try FileManager.default.createDirectory(atPath: control, withIntermediateDirectories: true)
        #expect(try s.run(["destroy"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(s.place.state)/vboxlab/known_hosts/vt-ssh"))
        #expect(!FileManager.default.fileExists(atPath: control), "\(control)")
    }

    /// A wrong key, a changed host key, an sshd that never answers: each an error that names the
    /// VM and says what to do.
    @Test func sshFailuresSayWhatToDo() throws {
        let s = try SSHPlace()
        defer { s.cleanup(labs: ["vt-sshe"]) }
        try s.writeSeed("vt-sshe", key: s.dir + "/otherkey")
        #expect(try s.run(["create", "--provider", "netns", "--no-setup"]).status == 0)
        let wrong = try s.run(["ssh-setup", "centos-1"])
        #expect(wrong.status == 3, "\(wrong.stderr)")
        #expect(
            wrong.stderr.contains("ssh to centos-1 as root with key \(s.dir)/otherkey was refused: "), "\(wrong.stderr)"
        )

        try s.writeSeed("vt-sshe")
        #expect(try s.run(["ssh-setup", "centos-1"]).status == 0)
        try s.keygen(s.dir + "/hostkey")
        let changed = try s.run(["ssh-setup", "centos-1"])
        let known = "\(s.place.state)/vboxlab/known_hosts/vt-sshe"
        #expect(changed.status == 1)
        #expect(
            changed.stderr
                == "error: the host key of centos-1 (root@centos-1 (through ProxyCommand)) is not the one vboxlab "
                + "saw before, so ssh refused it. If centos-1 was made again, forget the old key: ssh-keygen -R "
                + "vboxlab-vt-sshe-centos-1 -f \(known) (vboxlab destroy forgets a lab's keys)\n",
            "\(changed.stderr)")
        try ProcessRunner().check(Command("ssh-keygen", ["-R", "vboxlab-vt-sshe-centos-1", "-f", known]))
        #expect(try s.run(["ssh-setup", "centos-1"]).status == 0)

        try s.writeSeed("vt-sshe", proxy: { _ in "false" })
        let silent = try s.run(["ssh-setup", "centos-3", "--wait", "2"])
        #expect(silent.status == 1, "\(silent.stderr)")
        #expect(
            silent.stderr.contains("vboxlab: waiting for ssh: 0 of 1 answer; centos-3 booting "), "\(silent.stderr)")
        #expect(
            silent.stderr.contains(
                "error: ssh to centos-3 (root@centos-3 (through ProxyCommand)) did not answer within 2 s: tried ssh "
                    + "-o BatchMode=yes"
            ), "\(silent.stderr)")
        // Without --wait, ssh-setup waits as long as create does: VBOXLAB_SSH_WAIT.
        let variable = try CLI.run(
            ["ssh-setup", "centos-3"], cwd: s.place.dir, env: s.place.env.merging(["VBOXLAB_SSH_WAIT": "1"]) { $1 })
        #expect(variable.status == 1 && variable.stderr.contains("did not answer within 1 s"), "\(variable.stderr)")
    }

    /// A user without passwordless sudo: guest setup needs it, and says so.
    @Test func userWithoutPasswordlessSudo() throws {
        #expect(ProcessRunner.resolve("sudo") != nil, "sudo is not installed (.ci/run installs it)")
        let s = try SSHPlace()
        let user = "vblnosudo"
        _ = try? ProcessRunner().run(Command("useradd", ["-M", "-s", "/bin/sh", "-p", "*", user]))
        defer {
            s.cleanup(labs: ["vt-sudo"])
            _ = try? ProcessRunner().run(Command("userdel", [user]))
        }
        try s.writeSeed("vt-sudo", user: user)
        #expect(try s.run(["create", "--provider", "netns", "--no-setup"]).status == 0)
        let r = try s.run(["ssh-setup", "centos-1"])
        #expect(
            r.status == 1
                && r.stderr.hasSuffix(
                    "error: \(user) on centos-1 may not run sudo without a password, which guest setup needs; log in "
                        + "as root (ssh.user) or give \(user) passwordless sudo\n"
                ), "\(r.stderr)")
    }

    /// --persist through the namespace's own way in: for each network system the files it
    /// writes, and a second run that writes nothing.
    @Test(arguments: ["networkmanager", "networkd", "ifupdown"]) func persistWritesTheSystemsFiles(system: String)
        throws
    {
        let place = try CLIPlace()
        let lab = "vt-per-\(system.prefix(3))"
        defer { place.cleanup(labs: [lab]) }
        try place.write("\(lab).json5", bundled: "bridge-lab", name: lab)
        #expect(try place.run(["create", "--provider", "netns"]).status == 0)
        let root = place.dir + "/root"
        let env = place.env.merging(["VBOXLAB_NET_SYSTEM": system, "VBOXLAB_PERSIST_ROOT": root]) { $1 }
        let r = try CLI.run(["ssh-setup", "centos-2", "--persist"], cwd: place.dir, env: env)
        #expect(r.status == 0, "\(r.stderr)")
        let written = r.stdout.split(separator: "\n").filter { $0.hasPrefix("centos-2: wrote ") }.map {
            String($0.dropFirst("centos-2: wrote \(root)".count))
        }
        let plan = try Solver.plan(try LabLoader.load("\(place.dir)/\(lab).json5"), strategy: nil)
        let port = plan.nic(NICRef(vm: "centos-2", slot: 2))!
        switch system {
        case "networkmanager":
            #expect(
                written == [
                    "/etc/NetworkManager/system-connections/vboxlab-\(lab)-br0.nmconnection",
                    "/etc/NetworkManager/system-connections/vboxlab-\(lab)-enp0s8.nmconnection",
                    "/etc/NetworkManager/system-connections/vboxlab-\(lab)-enp0s9.nmconnection",
                ], "\(r.stdout)")
            let text = try String(contentsOfFile: root + written[1], encoding: .utf8)
            #expect(
                text.contains("interface-name=enp0s8\ncontroller=br0\n")
                    && text.contains("cloned-mac-address=\(port.guestMac.description.uppercased())\n"))
            let mode = try FileManager.default.attributesOfItem(atPath: root + written[1])[.posixPermissions] as? Int
            #expect(mode == 0o600)
        case "networkd":
            #expect(
                written.count == 4 && written[2] == "/etc/systemd/network/50-vboxlab-\(lab)-enp0s8.network",
                "\(written)")
            let text = try String(contentsOfFile: root + written[2], encoding: .utf8)
            #expect(
                text
                    == "[Match]\nName=enp0s8\n\n[Link]\nMACAddress=\(port.guestMac)\n\n"
                    + "[Network]\nLinkLocalAddressing=no\nBridge=br0\n"
            )
        default:
            #expect(written == ["/etc/network/interfaces.d/vboxlab-\(lab)"])
            let text = try String(contentsOfFile: root + written[0], encoding: .utf8)
            #expect(
                text.contains("auto br0\niface br0 inet manual\n    bridge_ports enp0s8 enp0s9\n    bridge_stp off\n"),
                "\(text)")
        }
        let again = try CLI.run(["ssh-setup", "centos-2", "--persist"], cwd: place.dir, env: env)
        #expect(again.stdout == "centos-2: already set up; nothing changed\n", "\(again.stdout)")
        try expectPersistStale(place, env: env, edit: root + written[0], named: written[0], lab: lab)

        // A later change to the live setup reaches the persisted files too, without --persist.
        func spelt(_ mac: MACAddress) -> String { system == "networkmanager" ? mac.description.uppercased() : "\(mac)" }
        let moved = try Solver.plan(try LabLoader.load("\(place.dir)/\(lab).json5"), strategy: .promisc)
        let newMac = moved.nic(NICRef(vm: "centos-2", slot: 2))!.guestMac
        #expect(newMac != port.guestMac)
        let changed = try CLI.run(["fix-macs", "--strategy", "promisc"], cwd: place.dir, env: env)
        #expect(changed.status == 0 && changed.stdout.contains("centos-2: wrote \(root)"), "\(changed.stdout)")
        let files = try Set(written).map { try String(contentsOfFile: root + $0, encoding: .utf8) }.joined()
        #expect(files.contains(spelt(newMac)) && !files.contains(spelt(port.guestMac)), "\(files)")
    }

    /// check compares a persisted guest's saved files with the plan, writing nothing: none
    /// differ after --persist; one edited by hand is `persist-stale`, named with the fix, whose
    /// pasted command writes it again.
    private func expectPersistStale(_ place: CLIPlace, env: [String: String], edit: String, named: String, lab: String)
        throws
    {
        func stale(_ r: CLI.Run) throws -> [[String: Any]] {
            let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return try #require(object?["persistStale"] as? [[String: Any]], "\(r.stdout)")
        }
        let clean = try CLI.run(["check", "--json"], cwd: place.dir, env: env)
        let none = try stale(clean)
        #expect(clean.status == 0 && none.isEmpty, "\(clean.stdout)\(clean.stderr)")
        let before = try String(contentsOfFile: edit, encoding: .utf8)
        try "# edited by hand\n".write(toFile: edit, atomically: true, encoding: .utf8)
        let json = try CLI.run(["check", "--json"], cwd: place.dir, env: env)
        let found = try stale(json)
        #expect(found.first?["vm"] as? String == "centos-2", "\(json.stdout)")
        #expect(found.first?["files"] as? [String] == [named], "\(json.stdout)")
        let text = try CLI.run(["check"], cwd: place.dir, env: env)
        #expect(text.status == 0, "the lab works now: \(text.stdout)")
        #expect(
            text.stdout.contains(
                "persist-stale: 1 guest\n  centos-2: its saved setup differs from the plan in \(named); after a reboot "
            ),
            "\(text.stdout)")
        let fix = try #require(CLIPlace.pasted(text.stdout), "\(text.stdout)")
        #expect(fix == ["ssh-setup", "centos-2", "--persist", "--lab", lab])
        #expect(try CLI.run(fix, cwd: place.dir, env: env).status == 0)
        #expect(try String(contentsOfFile: edit, encoding: .utf8) == before)
        let after = try stale(try CLI.run(["check", "--json"], cwd: place.dir, env: env))
        #expect(after.isEmpty)
    }

    /// Where NetworkManager runs, the lab's devices are left unmanaged for the run (a stand-in
    /// nmcli records what it is asked); where it does not, nmcli is not called.
    @Test func networkManagerLeavesTheLabsDevicesAlone() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-nm"]) }
        let bin = place.dir + "/bin"
        let log = place.dir + "/nmcli.log"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for running in [true, false] {
            try """
            #!/bin/sh
            echo "$*" >> \(log)
            [ "$*" = "-t -f RUNNING general" ] && echo \(running ? "running" : "stopped")
            exit 0

            """.write(toFile: bin + "/nmcli", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/nmcli")
            try? FileManager.default.removeItem(atPath: log)
            try place.write("vt-nm.json5", bundled: "bridge-lab", name: "vt-nm")
            #expect(try place.run(["create", "--provider", "netns", "--no-setup"]).status == 0)
            let env = place.env.merging([
                "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            ]) { $1 }
            let r = try CLI.run(["ssh-setup", "centos-2"], cwd: place.dir, env: env)
            #expect(r.status == 0, "\(r.stderr)")
            let calls = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(
                String.init)
            if running {
                #expect(
                    calls == [
                        "-t -f RUNNING general", "device set enp0s8 managed no", "device set enp0s9 managed no",
                        "device set br0 managed no",
                    ], "\(calls)")
            } else {
                #expect(calls == ["-t -f RUNNING general"], "\(calls)")
            }
            _ = try place.run(["destroy"])
        }
    }
}

/// The login that comes with a box, over real ssh: sshd first takes only the key that stands
/// for the box's insecure one; after ssh-setup it takes only the lab's own key.
extension SSHTests {
    @Test func boxKeyIsReplacedByTheLabsKey() throws {
        #expect(ProcessRunner.resolve("sudo") != nil, "sudo is not installed (.ci/run installs it)")
        let s = try SSHPlace()
        let user = "vblbox"
        let home = s.dir + "/home"
        _ = try? ProcessRunner().run(Command("userdel", [user]))
        try ProcessRunner().check(Command("useradd", ["-d", home, "-m", "-s", "/bin/sh", "-p", "*", user]))
        let sudoers = "/etc/sudoers.d/vboxlab-test-\(user)"
        try "\(user) ALL=(ALL) NOPASSWD: ALL\n".write(toFile: sudoers, atomically: true, encoding: .utf8)
        defer {
            s.cleanup(labs: ["vt-boxkey"])
            _ = try? ProcessRunner().run(Command("userdel", [user]))
            try? FileManager.default.removeItem(atPath: sudoers)
        }
        // The box: installed in a VAGRANT_HOME of the test's own, with its "insecure" key.
        let boxDir = s.dir + "/vagrant/boxes/vt-VAGRANTSLASH-login/1.0/virtualbox"
        try FileManager.default.createDirectory(atPath: boxDir, withIntermediateDirectories: true)
        try "<Envelope/>".write(toFile: boxDir + "/box.ovf", atomically: true, encoding: .utf8)
        try s.keygen(boxDir + "/vagrant_private_key")
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: boxDir + "/vagrant_private_key.pub", toPath: home + "/.ssh/authorized_keys")
        try ProcessRunner().check(Command("chown", ["-R", "\(user):", home]))
        var config = try String(contentsOfFile: s.dir + "/sshd_config", encoding: .utf8)
        config = config.replacingOccurrences(
            of: "AuthorizedKeysFile \(s.dir)/authorized_keys", with: "AuthorizedKeysFile .ssh/authorized_keys")
        try config.write(toFile: s.dir + "/sshd_config", atomically: true, encoding: .utf8)
        let names = NetnsNames(lab: "vt-boxkey")
        func ssh(_ vm: String) -> String {
            #"ssh: { user: "\#(user)", host: "\#(vm)", proxyCommand: "ip netns exec \#(names.vmNamespace(vm)) "#
                + #"/usr/sbin/sshd -i -f \#(s.dir)/sshd_config" }"#
        }
        try s.place.write(
            "vt-boxkey.json5", name: "vt-boxkey",
            text: """
                { name: "vt-boxkey", base: { box: "vt/login" }, vms: [
                  { name: "a", \(ssh("a")), nics: [ { network: "bk", ip: "10.9.4.1/24" } ] },
                  { name: "b", \(ssh("b")), nics: [ { network: "bk", ip: "10.9.4.2/24" } ] },
                ] }
                """)
        let env = s.place.env.merging(["VAGRANT_HOME": s.dir + "/vagrant"]) { $1 }
        func run(_ args: [String]) throws -> CLI.Run { try CLI.run(args, cwd: s.dir, env: env) }
        #expect(try run(["create", "--provider", "netns", "--no-setup"]).status == 0)
        let setup = try run(["ssh-setup", "a"])
        #expect(setup.status == 0, "\(setup.stderr)")
        #expect(
            setup.stderr.contains("vboxlab: a: replaced the box's key with the lab's own in \(user)'s authorized_keys"),
            "\(setup.stderr)")
        let labKey = "\(s.place.state)/vboxlab/keys/vt-boxkey"
        func accepted(_ key: String) -> Bool {
            let argv = [
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=\(s.dir)/kh",
                "-o", "IdentitiesOnly=yes",
                "-i", key, "-o",
                "ProxyCommand=ip netns exec \(names.vmNamespace("a")) /usr/sbin/sshd -i -f \(s.dir)/sshd_config", "-l",
                user, "a", "true",
            ]
            return (try? ProcessRunner().run(Command("ssh", argv)))?.status == 0
        }
        #expect(accepted(labKey))
        #expect(!accepted(boxDir + "/vagrant_private_key"))
        // Later logins use the lab's key, and nothing is replaced again.
        let again = try run(["ssh-setup", "a"])
        #expect(
            again.status == 0 && again.stdout == "a: already set up; nothing changed\n"
                && !again.stderr.contains("replaced"), "\(again.stdout)\(again.stderr)")
        // b is not set up yet: no address
        #expect(kernelPing("vt-boxkey", from: "a", "10.9.4.1", to: "10.9.4.2") == false)
        #expect(try run(["ssh-setup", "b"]).status == 0)
        #expect(kernelPing("vt-boxkey", from: "a", "10.9.4.1", to: "10.9.4.2"))
    }
}
