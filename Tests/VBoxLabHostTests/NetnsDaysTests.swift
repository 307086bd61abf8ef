import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A netns lab over days: stop removes its namespaces and keeps its record, start builds it
/// again and checks it, and a snapshot is refused in one line that names create.
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct NetnsDaysTests {
    @Test func stopKeepsTheRecordAndStartBuildsTheLabAgain() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vx-days"]) }
        try place.write("vx-days.json5", bundled: "bridge-lab", name: "vx-days")
        #expect(try place.run(["create", "vx-days", "--provider", "netns"]).status == 0)

        let stopped = try place.run(["stop", "vx-days"])
        #expect(stopped.status == 0, "\(stopped.stdout)\(stopped.stderr)")
        #expect(
            stopped.stderr.contains(
                "a netns lab has no running state: its namespaces are removed, and vboxlab start vx-days builds them "
                    + "again"), "\(stopped.stderr)")
        #expect(HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-vx-days-") }.isEmpty)
        let list = try place.run(["list", "--json"])
        #expect(list.stdout.contains(#""name":"vx-days","provider":"netns","state":"stopped""#), "\(list.stdout)")
        let status = try place.run(["status", "vx-days"])
        #expect(status.stdout.hasPrefix("lab vx-days is stopped (since "), "\(status.stdout)")
        let check = try place.run(["check", "vx-days"])
        #expect(
            check.status == 1 && check.stderr.contains("check needs it running: vboxlab start vx-days"),
            "\(check.stderr)")

        let started = try place.run(["start", "vx-days"])
        #expect(started.status == 0, "\(started.stdout)\(started.stderr)")
        #expect(started.stdout.contains("vx-days: 2 of 2 pairs reached"), "\(started.stdout)")
        #expect(HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-vx-days-") }.count == 4)

        let snapshot = try place.run(["snapshot", "save", "before"])
        #expect(
            snapshot.status == 1
                && snapshot.stderr == "error: a netns lab cannot be snapshotted (it has no state to keep); vboxlab "
                    + "create vx-days builds it again from its spec\n",
            "\(snapshot.stderr)")
        #expect(try place.run(["destroy", "vx-days"]).status == 0)
        #expect(HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-vx-days-") }.isEmpty)
    }
}
