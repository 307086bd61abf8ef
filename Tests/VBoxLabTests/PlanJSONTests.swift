import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The plan's JSON (`vboxlab plan --json`), in the library and from the built executable,
/// and its exit codes (0 done, 1 failed, 2 usage or spec error, 3 a command failed, 4 a program missing).
@Suite struct PlanJSONTests {
    static let macPattern = try! NSRegularExpression(pattern: "^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")

    static func isMAC(_ value: Any?) -> Bool {
        guard let s = value as? String else { return false }
        return macPattern.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    static func parse(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: bundledLabs) func planJSONHasTheContractFields(lab: String) throws {
        let spec = try loadBundled(lab)
        for strategy in Strategy.allCases {
            let plan: RegistrationPlan
            do { plan = try Solver.plan(spec, strategy: strategy) } catch {
                let crowded = Topology(spec).behind.values.contains { $0.count >= 2 }
                #expect(strategy == .macSwap && crowded, "\(lab) \(strategy): \(error)")
                continue
            }
            let object = try Self.parse(plan.json.rendered(indent: 2))
            #expect(object["lab"] as? String == lab)
            #expect(object["strategy"] as? String == strategy.rawValue)
            let nics = try #require(object["nics"] as? [[String: Any]])
            let bridges = try #require(object["bridges"] as? [[String: Any]])

            // Every lab NIC of every VM once, in spec order, with the spec's network.
            let expected = spec.vms.flatMap { vm in vm.nics.map { (vm.name, $0.slot, $0.network) } }
            #expect(nics.count == expected.count)
            for (json, (vm, slot, network)) in zip(nics, expected) {
                #expect(json["vm"] as? String == vm)
                #expect(json["slot"] as? Int == slot)
                #expect(json["network"] as? String == network)
                #expect(Self.isMAC(json["mac"]), "\(lab) \(vm) \(slot): mac \(json["mac"] ?? "nil")")
                #expect(Self.isMAC(json["guestMac"]), "\(lab) \(vm) \(slot): guestMac \(json["guestMac"] ?? "nil")")
                #expect(["deny", "allow-vms", "allow-all"].contains(json["promisc"] as? String ?? ""))
                let port = spec.vm(named: vm)?.bridge(forPort: network)
                #expect(json["bridge"] as? String == port?.name, "\(lab) \(vm) slot \(slot): bridge")
                #expect((json["bridge"] != nil) == (port != nil))
                // The JSON says what the plan says.
                let planned = try #require(plan.nic(NICRef(vm: vm, slot: slot)))
                #expect(json["mac"] as? String == planned.mac.description)
                #expect(json["guestMac"] as? String == planned.guestMac.description)
                #expect(json["promisc"] as? String == planned.promisc.rawValue)
            }
            let pairs = Set(nics.map { "\($0["vm"] as? String ?? "?")/\($0["slot"] as? Int ?? 0)" })
            #expect(pairs.count == nics.count)

            let expectedBridges = spec.vms.flatMap { vm in vm.bridges.map { (vm.name, $0) } }
            #expect(bridges.count == expectedBridges.count)
            for (json, (vm, bridge)) in zip(bridges, expectedBridges) {
                #expect(json["vm"] as? String == vm && json["name"] as? String == bridge.name)
                let mac = try #require(json["mac"], "\(lab): bridges[].mac must be present, null or a MAC")
                if bridge.ip == nil {
                    #expect(mac is NSNull, "\(lab) \(vm)/\(bridge.name): no address, so mac is null")
                } else {
                    #expect(Self.isMAC(mac))
                }
            }
        }
    }

    /// The seed lab's plan, field for field: ports swapped, guest MACs local, no bridge MAC.
    @Test func seedPlanValues() throws {
        let plan = try Solver.plan(try loadBundled("bridge-lab"))
        let object = try Self.parse(plan.json.rendered(indent: 2))
        let nics = try #require(object["nics"] as? [[String: Any]])
        #expect(nics.map { $0["promisc"] as? String } == ["deny", "deny", "deny", "deny"])
        #expect(nics.map { $0["bridge"] as? String } == [nil, "br0", "br0", nil])
        let (c1, p2, p3, c3) = (nics[0], nics[1], nics[2], nics[3])
        #expect(c1["mac"] as? String == c1["guestMac"] as? String)
        #expect(c3["mac"] as? String == c3["guestMac"] as? String)
        #expect(p2["mac"] as? String == c3["mac"] as? String)  // port on intnet-1 registers centos-3
        #expect(p3["mac"] as? String == c1["mac"] as? String)  // port on intnet-2 registers centos-1
        #expect(
            (p2["guestMac"] as? String)?.hasPrefix("02:") == true
                && (p3["guestMac"] as? String)?.hasPrefix("02:") == true)
        let bridges = try #require(object["bridges"] as? [[String: Any]])
        #expect(bridges.count == 1 && bridges[0]["mac"] is NSNull)
        // The text form is indented by two and starts with the contract's first fields.
        #expect(
            plan.json.rendered(indent: 2).hasPrefix(
                "{\n  \"lab\": \"bridge-lab\",\n  \"strategy\": \"auto\",\n  \"nics\": [\n    {\n      \"vm\": "
                    + "\"centos-1\",\n      \"slot\": 2,"
            ))
    }

    // MARK: the executable

    @Test func executablePlanJSONMatchesTheLibrary() throws {
        let r = try CLI.run(["plan", "bridge-lab", "--json"])
        #expect(r.status == 0 && r.reason == .exit)
        #expect(r.stderr == "")
        let plan = try Solver.plan(try loadBundled("bridge-lab"))
        #expect(r.stdout == plan.json.rendered() + "\n")
        let object = try Self.parse(r.stdout)
        #expect(object["lab"] as? String == "bridge-lab" && (object["nics"] as? [Any])?.count == 4)
    }

    @Test func executablePlanWithStrategyOverride() throws {
        let r = try CLI.run(["plan", "hub-lab", "--json", "--strategy=promisc"])
        #expect(r.status == 0)
        let object = try Self.parse(r.stdout)
        #expect(object["strategy"] as? String == "promisc")
        // mac-swap that cannot be met: exit 1, the port and MACs named on stderr, nothing on stdout.
        let bad = try CLI.run(["plan", "two-hosts-lab", "--json", "--strategy", "mac-swap"])
        #expect(bad.status == 1 && bad.stdout == "")
        #expect(
            bad.stderr.hasPrefix(
                "error: two-hosts-lab: mac-swap cannot serve mid slot 3 on two-right (port of br0): 2 MACs lie "
                    + "behind it"
            ))
    }

    @Test(arguments: bundledLabs) func executableValidatesBundledLab(lab: String) throws {
        let r = try CLI.run(["validate", lab])
        #expect(r.status == 0 && r.reason == .exit, "\(lab): \(r.stderr)")
        #expect(r.stdout == "" && r.stderr == "", "validate prints nothing on success")
    }

    @Test func executableValidateRefusesABrokenFile() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken.json5").path
        try Data(
            """
            { name: "broken", vms: [
              { name: "h1", nics: [ { network: "n1", ip: "1.1.1.300/24" } ] },
              { name: "h2", nics: [ { network: "n1", ipp: "1.1.1.2/24" } ] },
            ] }
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["validate", file])
        #expect(r.status == 2 && r.reason == .exit)
        #expect(r.stdout == "")
        #expect(
            r.stderr == """
                error: \(file): vms[0].nics[0].ip: "1.1.1.300/24" is not an IPv4 address with prefix (like 1.1.1.10/24)
                error: \(file): vms[1].nics[0].ipp: unknown key "ipp"; did you mean "ip"? \
                (valid keys: network, ip, mac, interface)
                error: \(file): vms: the lab has no endpoint: give at least one NIC or bridge an ip
                3 errors in the spec; nothing was created

                """)
    }

    @Test func executableReportsSyntaxErrorsWithLineAndColumn() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("syntax.json5").path
        try Data("{\n  name: \"s\"\n  vms: []\n}\n".utf8).write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["validate", file])
        #expect(r.status == 2)
        #expect(r.stderr == "error: \(file):3:3: expected ',' or '}' after a value, found 'v'\n")
    }

    @Test func executableMissingLab() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["validate", "x"], cwd: dir.path)
        #expect(r.status == 2)
        #expect(
            r.stderr
                == "error: no lab named 'x': looked for x.json5, labs/x.json5, a lab recorded as x in "
                + "\(testStateDirectory)/cli-state/vboxlab/labs\n"
        )
    }

    @Test func executableUsageErrors() throws {
        let unknown = try CLI.run(["plan", "bridge-lab", "--jsn"])
        #expect(unknown.status == 2 && unknown.stdout == "")
        #expect(
            unknown.stderr == """
                error: unknown option '--jsn'; did you mean '--json'?

                USAGE: vboxlab plan [LAB] [--json] [--strategy STRATEGY]
                  See 'vboxlab plan --help' for more information.

                """)
        // No LAB, no record, five specs in ./labs: ambiguous, listing them.
        let missing = try CLI.run(["validate"])
        #expect(missing.status == 2)
        #expect(
            missing.stderr == "error: more than one of the lab specs in . and ./labs:\n"
                + bundledLabs.sorted().map { "    labs/\($0).json5\n" }.joined() + "name one: vboxlab validate LAB\n")
        let command = try CLI.run(["valdate", "bridge-lab"])
        #expect(
            command.status == 2
                && command.stderr.hasPrefix("error: unknown command 'valdate'; did you mean 'validate'?"))
        let strategy = try CLI.run(["plan", "bridge-lab", "--strategy", "fast"])
        #expect(
            strategy.status == 2
                && strategy.stderr.hasPrefix("error: 'fast' is not a strategy (valid: auto, mac-swap, promisc, none)"))
        let macswap = try CLI.run(["plan", "bridge-lab", "--strategy", "macswap"])
        #expect(
            macswap.status == 2
                && macswap.stderr.hasPrefix(
                    "error: 'macswap' is not a strategy (valid: auto, mac-swap, promisc, none); did you mean "
                        + "'mac-swap'?"
                ), "\(macswap.stderr)")
        let empty = try CLI.run(["check", ""])
        #expect(
            empty.status == 2 && empty.stderr.hasPrefix("error: the lab name is empty\n\nUSAGE: vboxlab check [LAB]\n"),
            "\(empty.stderr)")
        let help = try CLI.run(["plan", "--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("OVERVIEW: ") && help.stdout.contains("--strategy S"))
    }

    /// `--=` is an option with an empty name: a usage error, not a crash.
    @Test func executableEmptyOptionNameIsAUsageError() throws {
        let r = try CLI.run(["plan", "bridge-lab", "--="])
        #expect(r.reason == .exit && r.status == 2)
        #expect(r.stderr.hasPrefix("error: unknown option '--'"))
    }

    /// Hashing is seeded per process: a diagnostic that depended on it would differ between runs.
    @Test func executableLoopMessageIsTheSameInEveryProcess() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("loop.json5").path
        try Data(
            """
            { name: "loop", vms: [
              { name: "h1", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] },
              { name: "b1", nics: [ { network: "n1" }, { network: "n2" }, { network: "n3" } ],
                bridges: [ { name: "br0", ports: ["n1", "n2", "n3"] } ] },
              { name: "b2", nics: [ { network: "n3" }, { network: "n2" }, { network: "n1" } ],
                bridges: [ { name: "br0", ports: ["n3", "n2", "n1"] } ] },
            ] }
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        var outputs = Set<String>()
        for _ in 0..<6 {
            let r = try CLI.run(["validate", file])
            #expect(r.status == 2)
            outputs.insert(r.stderr)
        }
        #expect(
            outputs == [
                "error: \(file): vms[2].bridges[0]: the lab has a loop: n2 → b1/br0 → n3 → b2/br0 → n2; set stp: "
                    + "true on one of its bridges, or break the loop\n1 error in the spec; nothing was created\n"
            ])
    }
}
