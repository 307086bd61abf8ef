import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// What a guest sends back is data: an interface named with terminal escapes, or a command
/// that writes hundreds of megabytes of escapes to stderr, reaches the terminal escaped and
/// bounded, and vboxlab's memory stays small. A lab of the test's own in namespaces (`vc-…`).
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct HostileGuestTests {
    static let hostileName = "\u{1B}]0;OWNED\u{07}\u{1B}[2J"

    static func hasRawControls(_ s: String) -> Bool {
        s.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }
    }

    @Test func anInterfaceNamedWithEscapesIsPrintedEscaped() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vc-esc"]) }
        try place.write("vc-esc.json5", bundled: "bridge-lab", name: "vc-esc")
        #expect(try place.run(["create", "vc-esc", "--provider", "netns"]).status == 0)
        // The guest renames its lab NIC (as root in a guest may): the name holds OSC and CSI escapes.
        let ns = NetnsNames(lab: "vc-esc").vmNamespace("centos-2")
        let links = try ProcessRunner().run(Command("ip", ["-n", ns, "-o", "link", "show"])).stdout
        let nic = try #require(
            links.split(separator: "\n").compactMap { line -> String? in
                let name = line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces).split(separator: "@")[0]
                return name.hasPrefix("eth") || name.hasPrefix("enp") ? String(name) : nil
            }.first, "\(links)")
        for argv in [["link", "set", "dev", nic, "down"], ["link", "set", "dev", nic, "name", Self.hostileName]] {
            let r = try ProcessRunner().run(Command("ip", ["-n", ns] + argv))
            #expect(r.status == 0, "\(argv): \(r.stderr)")
        }
        let check = try place.run(["check", "vc-esc"])
        let setup = try place.run(["ssh-setup", "centos-2", "--lab", "vc-esc"])
        let status = try place.run(["status", "vc-esc"])
        for (what, r) in [("check", check), ("ssh-setup", setup), ("status", status)] {
            #expect(
                !Self.hasRawControls(r.stdout) && !Self.hasRawControls(r.stderr),
                "\(what) printed raw control bytes: \(r.stdout.debugDescription)\(r.stderr.debugDescription)")
        }
        // The name did reach the output, escaped: the reader sees what the guest did.
        let all = check.stdout + check.stderr + setup.stdout + setup.stderr + status.stdout
        #expect(all.contains("\\u{1B}]0;OWNED\\u{07}\\u{1B}[2J"), "\(all)")
    }

    @Test func aFloodOnStderrIsBoundedAndEscaped() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vc-flood"]) }
        try place.write("vc-flood.json5", bundled: "bridge-lab", name: "vc-flood")
        #expect(try place.run(["create", "vc-flood", "--provider", "netns"]).status == 0)
        // A guest shell that, inside centos-2, writes 300 MB of terminal escapes to stderr
        // and fails; everywhere else it is the real /bin/sh.
        let bin = place.dir + "/hostile-bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let real = try #require(ProcessRunner.resolve("ip"))
        try """
        #!/bin/sh
        if [ "$(\(real) netns identify)" = "\(NetnsNames(lab: "vc-flood").vmNamespace("centos-2"))" ]; then
          yes "$(printf '\\033]0;OWNED\\007\\033[2J flood')" | head -c 300000000 >&2
          exit 1
        fi
        exec /bin/sh "$@"
        """.write(toFile: bin + "/sh", atomically: true, encoding: .utf8)
        chmod(bin + "/sh", 0o755)
        // ssh-setup's guest script meets it; python reports the largest resident size of
        // vboxlab (and what it ran) in kilobytes.
        let measure = """
            import resource, subprocess, sys
            r = subprocess.run(sys.argv[1:], capture_output=True)
            sys.stdout.buffer.write(r.stdout); sys.stderr.buffer.write(r.stderr)
            print("\\nexit %d maxrss %d" % (r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            """
        let binary = try #require(CLI.executable)
        let env = place.env.merging(["PATH": "\(bin):/usr/sbin:/usr/bin:/sbin:/bin", "SWIFT_BACKTRACE": "enable=no"]) {
            $1
        }
        let started = Date()
        let r = try ProcessRunner().run(
            Command(
                "python3", ["-c", measure, binary, "ssh-setup", "centos-2", "--lab", "vc-flood"], environment: env,
                timeout: 300))
        let seconds = Date().timeIntervalSince(started)
        let tail = try #require(r.stdout.split(separator: "\n").last)
        let maxrss = Int(tail.split(separator: " ").last ?? "") ?? Int.max
        #expect(tail.hasPrefix("exit 3 "), "\(tail)")
        #expect(maxrss < 200_000, "vboxlab grew to \(maxrss) KB")
        #expect(
            r.stdout.count + r.stderr.count < 2_000_000, "ssh-setup printed \(r.stdout.count + r.stderr.count) bytes")
        // Reading 300 MB to its end (so the guest never blocks) takes a while on a loaded runner
        // (65 s seen beside a build): the bound says it ends well before the 300 s time limit.
        #expect(seconds < 180, "ssh-setup took \(seconds) s")
        #expect(
            !Self.hasRawControls(r.stdout) && !Self.hasRawControls(r.stderr),
            "\(r.stdout.prefix(2000).debugDescription)")
        // The error says what failed, shows the start of what the guest said, escaped, and how
        // much more there was.
        #expect(
            r.stderr.contains("the guest setup of centos-2")
                && r.stderr.contains("\\u{1B}]0;OWNED\\u{07}\\u{1B}[2J flood")
                && r.stderr.contains("more bytes not kept]"), "\(r.stderr.prefix(600))")
    }
}
