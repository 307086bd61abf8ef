import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// labs/lab.schema.json and SpecValidator agree, judged by python3-jsonschema (which .ci/run
/// installs): every spec vboxlab accepts, the schema accepts; every spec vboxlab refuses for
/// its shape (unknown key, wrong type, missing field, a value off its pattern or range), the
/// schema refuses too. What no schema can say (unique names, loops, addresses in use) is
/// vboxlab's alone.
@Suite struct SchemaTests {
    static let structural = [
        "unknown key", "expected a", "expected an", "expected true or false", "missing:", "is not a lab name",
        "is not a VM name", "is not a strategy", "is not a whole number", "is not an IPv4 address with prefix",
        "is not a MAC address", "is not a Linux interface name", "give exactly one", "give either", "give one of",
        "at most 7 lab NICs", "the lab has no VMs", "a bridge needs at least one port", "is a multicast MAC",
    ]

    static func json(_ v: JSONValue) -> Any {
        switch v {
        case .object(let m): return m.mapValues(json)
        case .array(let a): return a.map(json)
        case .string(let s): return s
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? Int(d) as Any : d as Any
        case .bool(let b): return b
        case .null: return NSNull()
        }
    }

    @Test(.enabled(if: ToolGate.hasJSONSchema, "needs python3 with jsonschema")) func schemaAndValidatorAgree() throws {
        let python = try #require(
            ToolGate.jsonSchemaPython, "python3 with jsonschema is not installed (.ci/run installs python3-jsonschema)")
        var cases: [(name: String, doc: Any, valid: Bool)] = []
        for c in specCases {
            guard let doc = try? JSONValue.parseJSON5(Data(c.text.utf8)) else { continue }
            let messages = c.expected
            if messages.isEmpty {
                cases.append((c.name, Self.json(doc), true))
            } else if messages.allSatisfy({ m in Self.structural.contains { m.contains($0) } }) {
                cases.append((c.name, Self.json(doc), false))
            }
        }
        for lab in bundledLabs {
            let text = try String(contentsOfFile: "\(packageRoot)/labs/\(lab).json5", encoding: .utf8)
            #expect(text.contains(#""$schema": "./lab.schema.json""#), "\(lab) names the schema")
            cases.append((lab, Self.json(try JSONValue.parseJSON5(Data(text.utf8))), true))
        }
        // The reference's examples are labs vboxlab and the schema both take.
        let reference = try String(contentsOfFile: "\(packageRoot)/labs/README.md", encoding: .utf8)
        let examples = reference.components(separatedBy: "```json5\n").dropFirst().compactMap {
            $0.components(separatedBy: "```").first
        }
        #expect(examples.count == 3)
        for (i, text) in examples.enumerated() {
            _ = try LabLoader.parse(Data(text.utf8), file: "labs/README.md example \(i + 1)")
            cases.append(
                ("labs/README.md example \(i + 1)", Self.json(try JSONValue.parseJSON5(Data(text.utf8))), true))
        }
        #expect(cases.filter { !$0.valid }.count >= 20, "enough refused shapes to mean something")
        let docs = try JSONSerialization.data(withJSONObject: cases.map(\.doc))
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            for doc in json.load(sys.stdin):
                errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
                print("ok" if not errors else "refused: " + errors[0].message.replace("\\n", " "))
            """
        let r = try ProcessRunner().run(
            Command(
                python, ["-c", script, "\(packageRoot)/labs/lab.schema.json"],
                input: String(decoding: docs, as: UTF8.self)))
        #expect(r.status == 0, "\(r.stderr)")
        let verdicts = r.stdout.split(separator: "\n").map(String.init)
        #expect(verdicts.count == cases.count)
        for (c, verdict) in zip(cases, verdicts) {
            #expect(
                (verdict == "ok") == c.valid,
                "\(c.name): vboxlab says \(c.valid ? "valid" : "invalid"), the schema says \(verdict)")
        }
    }

    /// The reader takes `$schema` (a string) and nothing else from it.
    @Test func dollarSchemaIsAccepted() throws {
        let spec = try parseSpec(
            #"{ "$schema": "./lab.schema.json", name: "s", vms: [ { name: "a", nics: [ { network: "n", ip: "#
                + #""10.0.0.1/24" } ] }, { name: "b", nics: [ { network: "n", ip: "10.0.0.2/24" } ] } ] }"#
        )
        #expect(spec.name == "s")
        #expect(
            throws: VBoxLabError.invalidSpec([
                SpecDiagnostic(file: "t.json5", path: "$schema", message: "expected a string, found 5")
            ])
        ) {
            try parseSpec(
                #"{ "$schema": 5, name: "s", vms: [ { name: "a", nics: [ { network: "n", ip: "10.0.0.1/24" } ] }, { "#
                    + #"name: "b", nics: [ { network: "n", ip: "10.0.0.2/24" } ] } ] }"#
            )
        }
    }
}
