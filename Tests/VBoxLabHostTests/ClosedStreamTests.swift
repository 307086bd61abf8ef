import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A reader that goes away (`vboxlab create LAB 2>&1 | head -1`) never ends vboxlab half-way:
/// writes to a closed stdout or stderr are dropped and the command finishes its work.
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct ClosedStreamTests {
    /// Runs the built vboxlab with stdout and stderr on pipes whose read ends are closed
    /// before it starts: its first write meets EPIPE.
    static func runWithClosedStreams(_ args: [String], place: CLIPlace) throws -> (
        status: Int32, reason: Process.TerminationReason
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(CLI.executable))
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: place.dir)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in place.env { env[k] = v }
        env["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        try out.fileHandleForReading.close()
        try err.fileHandleForReading.close()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason)
    }

    @Test func createWithNoReaderFinishesTheLab() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vc-pipe"]) }
        try place.write("vc-pipe.json5", bundled: "bridge-lab", name: "vc-pipe")
        let create = try Self.runWithClosedStreams(["create", "vc-pipe", "--provider", "netns"], place: place)
        #expect(create.reason == .exit && create.status == 0, "create ended by \(create.reason) \(create.status)")
        // The guests were set up and checked: a check with a reader passes, and the record is whole.
        let check = try place.run(["check", "vc-pipe"])
        #expect(
            check.status == 0 && check.stdout.contains("vc-pipe: 2 of 2 pairs reached"),
            "\(check.stdout)\(check.stderr)")
        let list = try place.run(["list", "--json"])
        #expect(
            list.stdout.contains("\"name\":\"vc-pipe\"") && !list.stdout.contains("guests not set up"), "\(list.stdout)"
        )
        // An error with no reader: its exit status, not a crash.
        let bad = try Self.runWithClosedStreams(["validate", "no-such-lab"], place: place)
        #expect(bad.reason == .exit && bad.status == 2)
    }
}
