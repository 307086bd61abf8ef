import Foundation
import Testing

@testable import VBoxLabModel

@Suite struct SpecValidationTests {
    @Test(arguments: specCases) func diagnostics(of c: SpecCase) {
        let got: [String]
        do {
            _ = try parseSpec(c.text, file: "t.json5")
            got = []
        } catch {
            guard case .spec(.invalid(let diagnostics)) = error else {
                Issue.record("\(c.name): expected invalidSpec, got \(error)")
                return
            }
            #expect(error.exitCode == 2)
            #expect(!diagnostics.isEmpty)
            got = diagnostics.map(\.description)
        }
        #expect(got == c.expected)
    }

    /// The loop message must not depend on hashing (which is seeded per process): the same
    /// spec parsed many times in this process, and in fresh processes by PlanJSONTests, reads the same.
    @Test func loopMessageIsStable() throws {
        var messages = Set<String>()
        for _ in 0..<20 {
            do { _ = try parseSpec(loopLab(stp: "")) } catch { messages.insert(error.explanation) }
        }
        #expect(messages.count == 1)
        // STP on either bridge of the loop lifts the refusal.
        _ = try parseSpec(loopLab(stp: ", stp: true"))
        _ = try parseSpec(
            loopLab(stp: "").replacingOccurrences(
                of: #"ports: ["n1", "n2"] } ] },"#,
                with: #"ports: ["n1", "n2"], stp: true } ] },"#))
    }

    @Test func severalErrorsCountAndExplanation() {
        let c = specCases.first { $0.name == "several errors in one run" }!
        do {
            _ = try parseSpec(c.text)
            Issue.record("must be refused")
        } catch {
            guard case .spec(.invalid(let d)) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(d.count == 7)
            #expect(
                d.map(\.path) == [
                    "colour", "name", "strategy", "vms[1].nics[0].mac", "vms[1].name", "vms[1].nics[0].ip",
                    "vms[2].bridges[0].ports[0]",
                ])
            #expect(error.exitCode == 2)
            #expect(
                error.explanation
                    == (c.expected.map { "error: \($0)" } + ["7 errors in the spec; nothing was created"]).joined(
                        separator: "\n"))
        }
    }

    @Test func oneErrorExplanationIsSingular() {
        do {
            _ = try parseSpec(caseLab(#"{ name: "h1", nics: [ { network: "n1" } ] }"#), file: "labs/x.json5")
            Issue.record("must be refused")
        } catch {
            #expect(
                error.explanation == """
                    error: labs/x.json5: vms: the lab has no endpoint: give at least one NIC or bridge an ip
                    1 error in the spec; nothing was created
                    """)
        }
    }

    @Test func validSpecIsDecodedWithDefaults() throws {
        let spec = try parseSpec(
            caseLab(h1, br, h2, top: #"strategy: "promisc", base: { clone: "centos8" }, ssh: { user: "root" }, "#))
        #expect(spec.name == "lab" && spec.strategy == .promisc && spec.file == "t.json5")
        #expect(spec.base == .clone(vm: "centos8", snapshot: nil, linked: true))
        #expect(spec.ssh == SSHLogin(user: "root"))
        #expect(spec.vms.map(\.name) == ["h1", "b", "h2"])
        let b = spec.vms[1]
        #expect(b.nics == [NICSpec(slot: 2, network: "n1"), NICSpec(slot: 3, network: "n2")])
        #expect(b.bridges == [BridgeSpec(name: "br0", ports: ["n1", "n2"])])
        #expect(b.management == .nat(sshPort: nil) && b.memory == 1024 && b.cpus == 1 && b.ostype == "RedHat_64")
        #expect(spec.vms[0].nics[0].ip == IPv4CIDR("1.1.1.1/24"))
    }

    /// A spec file that is not there is named, with where it was looked for (the finding
    /// rules, in `LabFinder`, choose the file; its tests cover the places).
    @Test func missingSpecFileIsNamed() {
        do {
            _ = try LabLoader.load("/nonexistent/dir/x.json5")
            Issue.record("must not be found")
        } catch {
            #expect(error == .labNotFound(name: "/nonexistent/dir/x.json5", looked: ["/nonexistent/dir/x.json5"]))
            #expect(
                error.explanation
                    == "error: no lab named '/nonexistent/dir/x.json5': looked for /nonexistent/dir/x.json5")
            #expect(error.exitCode == 2)
        }
    }

    @Test func invalidSpecFromFileNamesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vboxlab-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken.json5").path
        try Data(caseLab(caseHost("h1", "n1", #"ip: "1.1.1.300/24""#)).utf8).write(to: URL(fileURLWithPath: file))
        do {
            _ = try LabLoader.load(file)
            Issue.record("must be refused")
        } catch {
            guard case .spec(.invalid(let d)) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(
                d.map(\.description) == [
                    "\(file): vms[0].nics[0].ip: \"1.1.1.300/24\" is not an IPv4 address with prefix (like "
                        + "1.1.1.10/24)",
                    "\(file): vms: the lab has no endpoint: give at least one NIC or bridge an ip",
                ])
            #expect(error.exitCode == 2)
        }
    }

    @Test(arguments: bundledLabs) func bundledLabValidates(lab: String) throws {
        let spec = try loadBundled(lab)
        #expect(spec.name == lab)
        #expect(!Topology(spec).endpoints.isEmpty)
    }
}
