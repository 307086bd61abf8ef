import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A real guest turned hostile, as root in a guest may: its lab NIC renamed with terminal
/// escapes, and an `ip` that writes 300 MB of escapes to stderr. What vboxlab prints is
/// escaped and bounded, and it stays small.
extension QemuGuestTests {
    @Test func aHostileRealGuestIsReadAsData() throws {
        let lab = "vq-hostile"
        let q = try QemuPlace(lab: lab, bundled: "bridge-lab")
        defer { q.cleanup() }
        let created = try q.run(["create", lab, "--provider", "qemu"])
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        // The bridge VM renames a port with OSC and CSI escapes.
        let rename = try q.run([
            "ssh", "centos-2", "--lab", lab, "--",
            #"n=$(printf '\033]0;OWNED\007\033[2J'); ip link set dev enp0s8 down && ip link set dev enp0s8 name "$n""#,
        ])
        #expect(rename.status == 0, "\(rename.stderr)")
        let check = try q.run(["check", lab])
        let setup = try q.run(["ssh-setup", "centos-2", "--lab", lab])
        for (what, r) in [("check", check), ("ssh-setup", setup)] {
            #expect(
                !HostileGuestTests.hasRawControls(r.stdout) && !HostileGuestTests.hasRawControls(r.stderr),
                "\(what) printed raw control bytes: \(r.stdout.debugDescription)\(r.stderr.debugDescription)")
        }
        #expect(
            (check.stdout + check.stderr + setup.stdout + setup.stderr).contains("\\u{1B}]0;OWNED\\u{07}\\u{1B}[2J"),
            "\(check.stdout)\(setup.stderr)")

        // An `ip` first on root's PATH that floods stderr with escapes and fails.
        let flood = try q.run([
            "ssh", "centos-3", "--lab", lab, "--",
            #"printf '#!/bin/sh\nyes "$(printf "\\033]0;OWNED\\007\\033[2J flood")" | head -c 300000000 >&2\nexit 1\n'"#
                + " > /usr/local/sbin/ip && chmod 755 /usr/local/sbin/ip",
        ])
        #expect(flood.status == 0, "\(flood.stderr)")
        let measure = """
            import resource, subprocess, sys
            r = subprocess.run(sys.argv[1:], capture_output=True)
            sys.stdout.buffer.write(r.stdout); sys.stderr.buffer.write(r.stderr)
            print("\\nexit %d maxrss %d" % (r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            """
        let binary = try #require(CLI.executable)
        let env = q.place.env.merging(["XDG_RUNTIME_DIR": q.runtime, "SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let r = try ProcessRunner().run(
            Command(
                "python3", ["-c", measure, binary, "ssh-setup", "centos-3", "--lab", lab], environment: env,
                timeout: 900))
        let tail = try #require(r.stdout.split(separator: "\n").last)
        let maxrss = Int(tail.split(separator: " ").last ?? "") ?? Int.max
        #expect(tail.hasPrefix("exit 3 "), "\(tail): \(r.stderr.prefix(600))")
        #expect(maxrss < 200_000, "vboxlab grew to \(maxrss) KB")
        #expect(r.stdout.count + r.stderr.count < 2_000_000, "printed \(r.stdout.count + r.stderr.count) bytes")
        #expect(!HostileGuestTests.hasRawControls(r.stdout) && !HostileGuestTests.hasRawControls(r.stderr))
        #expect(
            r.stderr.contains("\\u{1B}]0;OWNED\\u{07}\\u{1B}[2J flood") && r.stderr.contains("more bytes not kept]"),
            "\(r.stderr.prefix(600))")
    }
}
