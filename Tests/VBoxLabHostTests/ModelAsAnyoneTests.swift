import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabHost
@testable import VBoxLabModel

/// Whether the model's tests can be run here as another, unprivileged user: root, to become one.
enum AnyoneGate {
    static var available: Bool {
        if geteuid() != 0 { print("skipping the model-as-nobody test: not root, so cannot become nobody") }
        return geteuid() == 0 || ProcessInfo.processInfo.environment["VBOXLAB_REQUIRE_TOOLS"] == "1"
    }
}

/// The model's tests need nothing of the host: run as `nobody` (no root, no home of its own,
/// nothing it may write in the checkout), every one of them passes.
@Suite(.enabled(if: AnyoneGate.available, "needs root to run the model's tests as nobody"))
struct ModelAsAnyoneTests {
    @Test func modelTestsPassAsNobody() throws {
        // A copy of the test binary and the bundled labs in a folder anyone may read: the
        // checkout itself may be in a home that nobody cannot enter.
        let copy = try CLI.tempDir().path
        defer { try? FileManager.default.removeItem(atPath: copy) }
        chmod(copy, 0o755)
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        try FileManager.default.copyItem(atPath: binary, toPath: "\(copy)/tests")
        try FileManager.default.copyItem(atPath: "\(packageRoot)/labs", toPath: "\(copy)/labs")
        let r = try ProcessRunner().run(
            Command(
                "runuser",
                [
                    "-u", "nobody", "--", "env", "VBOXLAB_TEST_PACKAGE_ROOT=\(copy)", "\(copy)/tests",
                    "--testing-library", "swift-testing", "--filter", "VBoxLabModelTests",
                ],
                timeout: 900))
        #expect(r.status == 0, "\(r.stdout.suffix(2000))\(r.stderr.suffix(2000))")
        // Swift Testing reports on stderr.
        let said = r.stdout + r.stderr
        let summary = said.split(separator: "\n").last { $0.contains("Test run with") } ?? ""
        #expect(summary.contains("passed") && !summary.contains(" 0 tests"), "\(summary)")
        #expect(said.contains("Suite SolverTests passed"), "the model's own suites ran")
        #expect(!said.contains("Suite CodebaseTests") && !said.contains("Suite NetnsProviderTests"), "only the model's")
    }
}
