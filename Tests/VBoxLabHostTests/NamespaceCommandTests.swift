import Foundation
import Testing

@testable import VBoxLabHost

/// A program started from inside a namespace of the test's own (`NamespaceCommand`), as
/// iproute2's namespace exec and `nsenter --uts=FILE` start it: the namespace's devices in
/// `/sys`, its host name, its input; and nothing of it left on the host.
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct NamespaceCommandTests {
    static func sysfsMounts() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains(" - sysfs ") }.count
    }

    @Test func aProgramSeesTheNamespacesDevicesAndName() throws {
        let pair = try EchoProbesTests.Pair()
        defer { pair.remove() }
        let uts = NSTemporaryDirectory() + "vbl-uts-\(getpid())"
        #expect(FileManager.default.createFile(atPath: uts, contents: nil))
        #expect(UTSNamespaceFiles.make([(file: uts, hostname: "vm-a")]) == [nil])
        defer {
            // Unmounted, then removed: the file is this test's own.
            _ = UTSNamespaceFiles.release(uts)
            try? FileManager.default.removeItem(atPath: uts)
        }
        let mountsBefore = Self.sysfsMounts()
        let hostName = ProcessInfo.processInfo.hostName
        let script = "hostname; ls /sys/class/net; read -r line; echo \"$line\"; ip -o -4 addr show dev va"
        let ran = NamespaceCommand.run(
            Command("sh", ["-c", script], input: "from stdin\n"), runner: ProcessRunner(), network: pair.pathA,
            uts: uts)
        let result = try #require(try ran?.get())
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Array(lines.prefix(4)) == ["vm-a", "lo", "va", "from stdin"], "\(lines)")
        #expect(lines.count == 5 && lines[4].contains("10.66.0.1/24"), "\(lines)")
        // The host kept its own: no veth of the pair in its /sys, its name, its mounts.
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/va"))
        #expect(ProcessInfo.processInfo.hostName == hostName)
        #expect(Self.sysfsMounts() == mountsBefore)
    }

    /// A namespace that cannot be entered runs nothing, and says so with nil: the caller
    /// starts the command the usual way.
    @Test func aMissingNamespaceRunsNothing() throws {
        let marker = NSTemporaryDirectory() + "vbl-ran-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let ran = NamespaceCommand.run(
            Command("touch", [marker]), runner: ProcessRunner(),
            network: NSTemporaryDirectory() + "vbl-no-namespace-\(getpid())",
            uts: nil)
        #expect(ran == nil)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
