import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// `vboxlab exec`: one command on every VM of a real netns lab at once, each line under its
/// VM's aligned name, the guests' words escaped, one status for all. A lab of its own (`vx-…`).
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct ExecTests {
    @Test func oneCommandEverywherePrefixedWithOneStatus() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vx-exec"]) }
        try place.write("vx-exec.json5", bundled: "bridge-lab", name: "vx-exec")
        #expect(try place.run(["create", "vx-exec", "--provider", "netns"]).status == 0)

        let addr = try place.run(["exec", "--", "ip", "-br", "-4", "addr", "show", "dev", "enp0s8"])
        #expect(addr.status == 0, "\(addr.stderr)")
        let lines = addr.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(addr.stdout)")
        #expect(lines.first { $0.hasPrefix("centos-1 | enp0s8") }?.contains("1.1.1.10/24") == true, "\(lines)")
        #expect(lines.first { $0.hasPrefix("centos-3 | enp0s8") }?.contains("1.1.1.20/24") == true, "\(lines)")
        // centos-2's enp0s8 is a bridge port without an address: it prints nothing.

        // The words go to each VM's shell joined; the first other status in VM order is the one.
        let mixed = try place.run(["exec", "vx-exec", "--vm", "centos-3,centos-2", "--", "echo", "$((2+2));", "exit 5"])
        #expect(mixed.status == 5, "\(mixed.stdout)\(mixed.stderr)")
        #expect(mixed.stdout == "centos-2 | 4\ncentos-3 | 4\n", "\(mixed.stdout)")
        #expect(mixed.stderr == "centos-2 | exit 5\ncentos-3 | exit 5\n", "\(mixed.stderr)")

        // What a guest prints is data: escape sequences arrive escaped, never as controls.
        let hostile = try place.run(["exec", "--vm", "centos-1", "--", "printf", #"'\033]0;OWNED\007\n'"#])
        #expect(hostile.status == 0 && !hostile.stdout.contains("\u{1b}") && hostile.stdout.contains("OWNED"))

        let json = try place.run(["exec", "--json", "--vm", "centos-1", "--", "echo hi; echo oops >&2"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let vm = try #require((object["vms"] as? [[String: Any]])?.first)
        #expect(object["lab"] as? String == "vx-exec")
        #expect(vm["name"] as? String == "centos-1" && vm["exit"] as? Int == 0, "\(json.stdout)")
        #expect(vm["stdout"] as? String == "hi\n" && vm["stderr"] as? String == "oops\n", "\(json.stdout)")

        let unknown = try place.run(["exec", "--vm", "centos-9", "--", "true"])
        #expect(unknown.status == 2 && unknown.stderr.contains("has no VM named centos-9"), "\(unknown.stderr)")
        let bare = try place.run(["exec", "ip", "link"])
        #expect(bare.status == 2 && bare.stderr.hasPrefix("error: put the command after --"), "\(bare.stderr)")
    }

    /// Each VM is its own host by name, as a guest is: `hostname` in it says the VM's name, the
    /// host's own name is left as it was, and destroy lets the names go with the namespaces.
    @Test func eachVMKnowsItsName() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vx-name"]) }
        try place.write("vx-name.json5", bundled: "bridge-lab", name: "vx-name")
        let host = ProcessInfo.processInfo.hostName
        #expect(try place.run(["create", "vx-name", "--provider", "netns"]).status == 0)
        let names = try place.run(["exec", "--", "hostname"])
        #expect(names.stdout == "centos-1 | centos-1\ncentos-2 | centos-2\ncentos-3 | centos-3\n", "\(names.stdout)")
        #expect(try place.run(["ssh", "centos-2", "--", "uname", "-n"]).stdout == "centos-2\n")
        #expect(ProcessInfo.processInfo.hostName == host)
        let held = ((try? FileManager.default.contentsOfDirectory(atPath: "/run/vboxlab-host/uts")) ?? []).filter {
            $0.hasPrefix("vbl-vx-name-")
        }
        #expect(held.count == 3, "\(held)")
        #expect(try place.run(["destroy"]).status == 0)
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: "/run/vboxlab-host/uts")) ?? []).filter {
            $0.hasPrefix("vbl-vx-name-")
        }
        #expect(left.isEmpty, "\(left)")
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!mounts.contains("/run/vboxlab-host/uts/vbl-vx-name-"))

        // A VM namespace deleted by hand: destroy still lets that VM's name go.
        #expect(try place.run(["create", "vx-name", "--provider", "netns", "--no-setup"]).status == 0)
        try ProcessRunner().check(Command("ip", ["netns", "del", "vbl-vx-name-centos-3"]))
        #expect(try place.run(["destroy"]).status == 0)
        let after = ((try? FileManager.default.contentsOfDirectory(atPath: "/run/vboxlab-host/uts")) ?? []).filter {
            $0.hasPrefix("vbl-vx-name-")
        }
        #expect(after.isEmpty, "\(after)")
    }
}
