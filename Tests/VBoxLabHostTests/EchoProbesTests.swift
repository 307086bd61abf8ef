import Foundation
import Testing

@testable import VBoxLabHost

/// The check's pings from inside namespaces, from this process (`EchoProbes`), on two
/// namespaces of the test's own joined by a veth pair: what answers, what does not, and
/// that every source starts from an empty neighbour table, as `ip neigh flush all` leaves it.
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct EchoProbesTests {
    /// Two namespaces, `a` (10.66.0.1) and `b` (10.66.0.2) on one /24, removed afterwards.
    struct Pair {
        let a = "vbl-echo-\(getpid())-a"
        let b = "vbl-echo-\(getpid())-b"
        var pathA: String { "/run/netns/\(a)" }

        init() throws {
            remove()
            let batch = [
                "netns add \(a)", "netns add \(b)",
                "link add va netns \(a) type veth peer name vb netns \(b)",
                "-n \(a) addr add 10.66.0.1/24 dev va", "-n \(b) addr add 10.66.0.2/24 dev vb",
                "-n \(a) link set va up", "-n \(b) link set vb up",
            ]
            for line in batch {
                let r = try ProcessRunner().run(Command("ip", line.split(separator: " ").map(String.init)))
                #expect(r.status == 0, "ip \(line): \(r.stderr)")
            }
        }

        func remove() {
            // Gone already is as good: these names are this test's own.
            for ns in [a, b] { _ = try? ProcessRunner().run(Command("ip", ["netns", "del", ns])) }
        }

        func ip(_ words: String) throws -> CommandResult {
            try ProcessRunner().run(Command("ip", ["-n", a] + words.split(separator: " ").map(String.init)))
        }
    }

    @Test func aNeighbourAnswersAndAnAbsentAddressDoesNot() throws {
        let pair = try Pair()
        defer { pair.remove() }
        let probe = EchoProbe(namespace: pair.pathA, source: "10.66.0.1", targets: ["10.66.0.2", "10.66.0.9"])
        let started = Date()
        #expect(EchoProbes.run([probe], waitMs: 200, retries: 1) == [[true, false]])
        // A silent target costs its two waits (200 ms, then 300 ms), not ping's seconds.
        #expect(Date().timeIntervalSince(started) < 2)
    }

    /// A wrong entry for the target (a MAC no NIC has) would send the echo nowhere: the
    /// kernel's own ping, with the entry in place, fails; the probes flush it first, ARP
    /// again and are answered. A permanent entry stays, as `ip neigh flush all` keeps it.
    @Test func everySourceStartsFromAnEmptyNeighbourTable() throws {
        let pair = try Pair()
        defer { pair.remove() }
        #expect(try pair.ip("neigh replace 10.66.0.2 lladdr 02:00:00:00:00:99 dev va nud reachable").status == 0)
        #expect(try pair.ip("neigh add 10.66.0.7 lladdr 02:00:00:00:00:07 dev va nud permanent").status == 0)
        let kernel = try ProcessRunner().run(
            Command("ip", ["netns", "exec", pair.a, "ping", "-c", "1", "-W", "1", "-I", "10.66.0.1", "10.66.0.2"]))
        #expect(kernel.status != 0, "the wrong entry must stop the kernel's own ping")
        #expect(try pair.ip("neigh replace 10.66.0.2 lladdr 02:00:00:00:00:99 dev va nud reachable").status == 0)
        let probe = EchoProbe(namespace: pair.pathA, source: "10.66.0.1", targets: ["10.66.0.2"])
        #expect(EchoProbes.run([probe], waitMs: 300, retries: 1) == [[true]])
        let left = try pair.ip("neigh show").stdout
        #expect(left.contains("10.66.0.7 dev va lladdr 02:00:00:00:00:07 PERMANENT"), "\(left)")
        #expect(!left.contains("02:00:00:00:00:99"), "\(left)")
    }

    /// A source whose namespace is gone, or that lacks its address, answers nothing, as
    /// fping from it would; the other sources are pinged as usual.
    @Test func aGoneNamespaceOrAMissingSourceAnswersNothing() throws {
        let pair = try Pair()
        defer { pair.remove() }
        let probes = [
            EchoProbe(namespace: "/run/netns/vbl-echo-none-\(getpid())", source: "10.66.0.1", targets: ["10.66.0.2"]),
            EchoProbe(namespace: pair.pathA, source: "10.66.0.5", targets: ["10.66.0.2"]),
            EchoProbe(namespace: pair.pathA, source: "10.66.0.1", targets: ["10.66.0.2"]),
        ]
        #expect(EchoProbes.run(probes, waitMs: 200, retries: 0) == [[false], [false], [true]])
    }
}
