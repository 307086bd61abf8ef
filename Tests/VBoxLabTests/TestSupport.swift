import Foundation

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Programs some pure tests run to judge an output (the shells that run the completion
/// scripts, Graphviz, a JSON Schema validator). Where one is missing, those tests are skipped
/// with the reason, so the pure suite runs wherever Swift does; `VBOXLAB_REQUIRE_TOOLS=1`
/// (which `.ci/run` sets) makes them run, and fail, instead.
enum ToolGate {
    static var required: Bool { ProcessInfo.processInfo.environment["VBOXLAB_REQUIRE_TOOLS"] == "1" }
    /// The python3 on PATH, else Debian's, whichever has jsonschema.
    static let jsonSchemaPython: String? = ["python3", "/usr/bin/python3"].first { p in
        (try? ProcessRunner().run(Command(p, ["-c", "import jsonschema"])))?.status == 0
    }
    static func has(_ programs: String...) -> Bool {
        let missing = programs.filter { ProcessRunner.resolve($0) == nil }
        if !missing.isEmpty {
            print("skipping tests that need \(missing.joined(separator: ", ")) (.ci/run installs them)")
        }
        return required || missing.isEmpty
    }
    static var hasJSONSchema: Bool {
        if jsonSchemaPython == nil {
            print("skipping the schema test: no python3 with jsonschema (apt-get install python3-jsonschema)")
        }
        return required || jsonSchemaPython != nil
    }
}
