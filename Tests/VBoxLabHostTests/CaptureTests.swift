import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// `vboxlab capture` on a real netns lab: one NIC's frames where the registering switch hands
/// them over, into pcap files read back with tcpdump. A lab of its own (`vx-cap`).
@Suite(
    .serialized,
    .enabled(
        if: NetnsGate.available && ProcessRunner.resolve("tcpdump") != nil,
        "needs root, network namespaces and tcpdump"))
struct CaptureTests {
    /// A capture ended as Ctrl-C ends it: SIGINT to its process group (timeout's own way).
    static func capture(_ place: CLIPlace, _ args: [String], seconds: Int) throws -> Command {
        let binary = try #require(CLI.executable)
        return Command(
            "env",
            ["-C", place.dir, "timeout", "--preserve-status", "-s", "INT", String(seconds), binary, "capture"] + args,
            environment: place.env)
    }

    static func read(_ file: String) throws -> String {
        try ProcessRunner().run(Command("tcpdump", ["-r", file, "-n", "-e"])).stdout
    }

    /// --strategy none: centos-3's ARP reply to centos-1 crosses centos-3's port and never
    /// reaches centos-2's port on intnet-2, the drop check explains, seen live.
    @Test func theSwitchsDropSeenLiveOnTwoPorts() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vx-cap"]) }
        try place.write("vx-cap.json5", bundled: "bridge-lab", name: "vx-cap")
        #expect(try place.run(["create", "vx-cap", "--provider", "netns", "--strategy", "none"]).status == 1)
        let sent = "\(place.dir)/centos-3.pcap"
        let bridge = "\(place.dir)/centos-2.pcap"
        // Each ends by its count: centos-3's first ARP reply (opcode 2); at centos-2, four ARP frames
        // sent by centos-1 (1.1.1.10) or replies: centos-3's own requests, which the check's other
        // pair sends meanwhile, would fill the count before centos-1's reach it.
        let captures = [
            try Self.capture(
                place, ["vx-cap", "centos-3:2", "-w", sent, "-c", "1", "arp[6:2]", "=", "2"], seconds: 240),
            try Self.capture(
                place,
                [
                    "centos-2:intnet-2", "-w", bridge, "-c", "4", "arp", "and", "(arp[14:4]", "=", "0x0101010a", "or",
                    "arp[6:2]", "=", "2)",
                ], seconds: 240),
        ]
        let results = Locked([CommandResult?](repeating: nil, count: 2))
        for (i, c) in captures.enumerated() {
            // Run outside the lock: the other capture and the checks must go on meanwhile.
            Thread {
                let r = try? ProcessRunner().run(c)
                results.update { $0[i] = r }
            }.start()
        }
        // tcpdump makes its file once it listens (a loaded machine takes a while to get there).
        var deadline = Date().addingTimeInterval(120)
        while Date() < deadline && ![sent, bridge].allSatisfy(FileManager.default.fileExists) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect([sent, bridge].allSatisfy(FileManager.default.fileExists), "the captures never listened")
        // Checks until both captures have their frames: fresh neighbour tables first, so each
        // ping starts with a broadcast ARP request, as the first did.
        deadline = Date().addingTimeInterval(200)
        while results.get().contains(where: { $0 == nil }) && Date() < deadline {
            #expect(try place.run(["exec", "--", "ip", "neigh", "flush", "all"]).status == 0)
            #expect(try place.run(["check", "vx-cap"]).status == 1)
        }
        while results.get().contains(where: { $0 == nil }) { Thread.sleep(forTimeInterval: 0.5) }
        for r in results.get() {
            let r = try #require(r)
            #expect(r.status == 0, "a capture ended by its count is a success: \(r.status) \(r.stderr)")
        }
        let atCentos3 = try Self.read(sent)
        let atCentos2 = try Self.read(bridge)
        #expect(atCentos3.contains("Reply 1.1.1.20 is-at"), "\(atCentos3)")
        #expect(atCentos2.contains("Request who-has 1.1.1.20 tell 1.1.1.10"), "\(atCentos2)")
        #expect(!atCentos2.contains("Reply 1.1.1.20 is-at"), "\(atCentos2)")
    }

    @Test func aNICMustBeNamedAmongTheVMs() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vx-cap2"]) }
        try place.write("vx-cap2.json5", bundled: "bridge-lab", name: "vx-cap2")
        #expect(try place.run(["create", "vx-cap2", "--provider", "netns", "--no-setup"]).status == 0)
        let several = try place.run(["capture", "centos-2"])
        #expect(several.status == 2, "\(several.stderr)")
        #expect(
            several.stderr.contains(
                "centos-2 has several lab NICs; name one: centos-2:2 (intnet-1), centos-2:3 (intnet-2)"),
            "\(several.stderr)")
        let none = try place.run(["capture", "centos-1:7"])
        #expect(none.status == 2 && none.stderr.contains("centos-1 has no NIC 7"), "\(none.stderr)")
        // Ctrl-C (SIGINT to the process group, as a terminal sends it) ends a capture with 0.
        let file = "\(place.dir)/quiet.pcap"
        let interrupted = try ProcessRunner().run(try Self.capture(place, ["centos-1", "-w", file], seconds: 20))
        #expect(interrupted.status == 0, "\(interrupted.stderr)")
        #expect(try ProcessRunner().run(Command("tcpdump", ["-r", file])).status == 0)
        let count = try place.run(["capture", "centos-1", "-c", "zero"])
        #expect(count.status == 2 && count.stderr.contains("-c takes a number of frames above 0"), "\(count.stderr)")
    }
}
