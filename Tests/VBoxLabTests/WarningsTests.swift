import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Labs that validate but cannot fully work: `validate` and `plan` warn, `check` says why.
@Suite struct WarningsTests {
    func plan(_ vms: String) throws -> RegistrationPlan {
        try Solver.plan(try parseSpec("{ name: \"w\", vms: [ \(vms) ] }"), strategy: nil)
    }

    @Test func bundledLabsHaveNoWarnings() throws {
        for lab in bundledLabs {
            #expect(LabWarnings.of(try Solver.plan(try loadBundled(lab), strategy: nil)).isEmpty, "\(lab)")
        }
    }

    @Test func sameNetworkOtherSubnet() throws {
        let p = try plan(
            #"{ name: "a", nics: [ { network: "n", ip: "10.0.0.1/24" } ] }, { name: "b", nics: [ { network: "n", "#
                + #"ip: "10.0.1.1/24" } ] }"#
        )
        #expect(
            LabWarnings.of(p) == [
                "10.0.0.1/24 (a) and 10.0.1.1/24 (b) share a network but not a subnet: they cannot ping each other",
                "10.0.0.1/24 (a) can reach no other endpoint: no other address is in 10.0.0.0/24",
                "10.0.1.1/24 (b) can reach no other endpoint: no other address is in 10.0.1.0/24",
            ])
        #expect(LabChecker.emptyReason(p) == "no two of its 2 addresses share a subnet, so no pair can ping")
    }

    /// Same subnet, but no bridge joins the networks: warned, and `check` says `no-path`.
    @Test func unconnectedNetworks() throws {
        let p = try plan(
            #"{ name: "a", nics: [ { network: "n1", ip: "10.0.0.1/24" } ] }, { name: "b", nics: [ { network: "n2", "#
                + #"ip: "10.0.0.2/24" } ] }"#
        )
        #expect(
            LabWarnings.of(p) == [
                "network n1 has one NIC (a slot 2): nothing else is attached to it",
                "network n2 has one NIC (b slot 2): nothing else is attached to it",
                "10.0.0.1/24 (a) can reach no other endpoint: 10.0.0.2/24 (b) shares its subnet, but no bridge joins "
                    + "n1 to n2",
                "10.0.0.2/24 (b) can reach no other endpoint: 10.0.0.1/24 (a) shares its subnet, but no bridge joins "
                    + "n2 to n1",
            ])
        let d = Diagnoser(observed: LabState(plan: p), plan: p).diagnose(p.pingPairs[0], pinged: false)
        #expect(d?.cause == .noPath)
        #expect(
            d?.reason
                == "a (n1) and b (n2) share subnet 10.0.0.0/24, but no bridge joins n1 to n2: the spec gives no "
                + "layer-2 path between them"
        )
    }

    @Test func nothingToCheck() throws {
        let one = try plan(
            #"{ name: "a", nics: [ { network: "n", ip: "10.0.0.1/24" } ] }, { name: "b", nics: [ { network: "n" } ] }"#)
        #expect(
            LabChecker.emptyReason(one)
                == "the lab has one address (10.0.0.1/24 on a), so there is nothing to ping it from")
        let report = CheckReport(lab: "w", provider: "netns", results: [], emptyReason: LabChecker.emptyReason(one))
        #expect(!report.allPassed)
        #expect(
            report.json.rendered()
                == #"{"lab":"w","reached":0,"total":0,"pairs":[],"persistStale":[],"cause":"no-pairs","#
                + #""reason":"the lab has one address (10.0.0.1/24 on a), so there is nothing to ping it from"}"#
        )
        #expect(
            report.text(fixes: FixCommands(lab: "w", provider: nil))
                == "w: nothing to check: the lab has one address (10.0.0.1/24 on a), so there is nothing to ping it "
                + "from"
        )
    }

    /// The executable prints warnings on stderr and still exits 0.
    @Test func validateWarnsOnStderrAndSucceeds() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("w.json5").path
        try
            (#"{ name: "w", vms: [ { name: "a", nics: [ { network: "n1", ip: "10.0.0.1/24" } ] }, { name: "b", nics: "#
            + #"[ { network: "n1", ip: "10.0.0.2/24" } ] }, { name: "c", nics: [ { network: "n2", ip: "10.0.0.3/24" } "#
            + #"] } ] }"#)
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["validate", file])
        #expect(r.status == 0 && r.stdout == "")
        #expect(
            r.stderr == """
                warning: \(file): network n2 has one NIC (c slot 2): nothing else is attached to it
                warning: \(file): 10.0.0.3/24 (c) can reach no other endpoint: 10.0.0.1/24 (a) shares its subnet, \
                but no bridge joins n2 to n1

                """)
    }
}

/// check --json: a passing pair and a failing one carry the same keys, null where a field
/// does not apply, so a program reads one shape.
@Test func checkJSONHasEveryFieldOnEveryPair() throws {
    let plan = try Solver.plan(try loadBundled("bridge-lab"), strategy: nil)
    let pairs = plan.pingPairs
    let report = CheckReport(
        lab: plan.lab, provider: "test",
        results: [
            PairResult(pair: pairs[0], ok: true, diagnosis: nil),
            PairResult(
                pair: pairs[1], ok: false,
                diagnosis: Diagnosis(cause: .unregisteredMac, reason: "lost", trace: nil, place: .network("intnet-1"))),
        ])
    let object = try #require(
        try JSONSerialization.jsonObject(with: Data(report.json.rendered().utf8)) as? [String: Any])
    let rows = try #require(object["pairs"] as? [[String: Any]])
    #expect(Set(rows[0].keys) == Set(rows[1].keys))
    #expect(Set(rows[0].keys) == ["from", "to", "fromIp", "toIp", "ok", "cause", "reason", "lost", "capture"])
    #expect(rows[0]["cause"] is NSNull && rows[0]["reason"] is NSNull && rows[0]["lost"] is NSNull)
    #expect(rows[1]["cause"] as? String == "unregistered-mac" && rows[1]["lost"] as? String == "intnet-1")
}
