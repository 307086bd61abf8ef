import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

// What both test targets need: the package's bundled labs, the built executable run in a
// place of the test's own, and golden files. One file, linked into each target's directory
// (a test target cannot import another), so both compile exactly this text.

/// A state directory of this test process's own, removed at exit.
let testStateDirectory: String = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vboxlab-tests-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    atexit {
        try? FileManager.default.removeItem(
            atPath: FileManager.default.temporaryDirectory.appendingPathComponent("vboxlab-tests-\(getpid())").path)
    }
    return dir
}()

/// The built `vboxlab`, run as a person runs it.
enum CLI {
    struct Run {
        var status: Int32
        var reason: Process.TerminationReason
        var stdout: String
        var stderr: String
    }

    /// The `vboxlab` built beside this test bundle, else the newest `.build*/debug/vboxlab` under the package.
    static let executable: String? = {
        let fm = FileManager.default
        var candidates: [String] = []
        if let argv0 = CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: argv0).deletingLastPathComponent()
            for _ in 0..<4 {  // the bundle may be a directory (…/vboxlabPackageTests.xctest/Contents/MacOS)
                candidates.append(dir.appendingPathComponent("vboxlab").path)
                dir.deleteLastPathComponent()
            }
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("vboxlab").path)
        if let found = candidates.first(where: { fm.isExecutableFile(atPath: $0) && !isDirectory($0) }) { return found }
        let builds = ((try? fm.contentsOfDirectory(atPath: packageRoot)) ?? []).filter { $0.hasPrefix(".build") }
        let binaries = builds.map { "\(packageRoot)/\($0)/debug/vboxlab" }.filter { fm.isExecutableFile(atPath: $0) }
        func modified(_ p: String) -> Date {
            ((try? fm.attributesOfItem(atPath: p))?[.modificationDate] as? Date) ?? .distantPast
        }
        return binaries.max { modified($0) < modified($1) }
    }()

    static func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }

    /// Runs the built executable with lab records and locks in this test process's own
    /// directories (never the user's), unless `env` says otherwise.
    static func run(
        _ args: [String], cwd: String = packageRoot, env extra: [String: String] = [:], input: String? = nil
    ) throws -> Run {
        let binary = try #require(
            executable, "no built vboxlab found beside the tests or under \(packageRoot)/.build*/debug")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var env = ProcessInfo.processInfo.environment
        env["VBOXLAB_HOME"] = nil
        env["VBOXLAB_PROVIDER"] = nil
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["XDG_STATE_HOME"] = testStateDirectory + "/cli-state"
        env["XDG_RUNTIME_DIR"] = testStateDirectory + "/cli-run"
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read stderr on another thread while reading stdout here, so neither pipe can fill and block the child.
        let errBox = DataBox()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, reason: process.terminationReason,
            stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// Hands stderr from the reading thread to the test; the semaphore orders the accesses.
    final class DataBox: @unchecked Sendable { var data = Data() }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vboxlab-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Golden files: each test target keeps its own in `Golden/` beside its sources, and every
/// comparison with one goes through `expectGolden`.
enum Golden {
    static var recording: Bool { ProcessInfo.processInfo.environment["VBOXLAB_RECORD_GOLDEN"] == "1" }

    /// The `Golden` directory of the target whose source file is `file`.
    static func directory(of file: String) -> String {
        (((file as NSString).deletingLastPathComponent) as NSString).appendingPathComponent("Golden")
    }

    /// Every file under a Golden directory, relative to it, sorted.
    static func files(in directory: String) -> [String] {
        let all = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return all.filter { !CLI.isDirectory("\(directory)/\($0)") }.sorted()
    }
}

/// Compares text with `Golden/NAME` of the calling test's target; a difference fails.
/// With `VBOXLAB_RECORD_GOLDEN=1` the file is written instead, a write that fails is a
/// failure, and every recorded file is reported as a failure too (rewritten, or unchanged),
/// so a recording run can never pass for a test run.
func expectGolden(
    _ text: String, _ name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) {
    let path = "\(Golden.directory(of: filePath))/\(name)"
    let old = try? String(contentsOfFile: path, encoding: .utf8)
    if Golden.recording {
        if old == text {
            Issue.record(
                "VBOXLAB_RECORD_GOLDEN=1: \(path) is unchanged; run again without it to test",
                sourceLocation: sourceLocation)
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            print("vboxlab tests: recorded golden \(path)")
            let how = old == nil ? "new" : "rewritten"
            let next = "review the diff, then run again without it to test"
            Issue.record("VBOXLAB_RECORD_GOLDEN=1: recorded \(path) (\(how)); \(next)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("VBOXLAB_RECORD_GOLDEN=1: could not write \(path): \(error)", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = old else {
        Issue.record("no golden file \(path); record it with VBOXLAB_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
        return
    }
    if text != expected {
        let a = text.split(separator: "\n", omittingEmptySubsequences: false)
        let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        let got = line < a.count ? String(a[line]) : "<end>"
        let want = line < b.count ? String(b[line]) : "<end>"
        Issue.record(
            "differs from \(path) at line \(line + 1):\n  got:      \(got)\n  expected: \(want)",
            sourceLocation: sourceLocation)
    }
}

/// Runs commands at the same moment, as a user starts two by accident; their results in order.
func atOnce(_ commands: [[String]], _ run: @Sendable ([String]) -> CLI.Run?) -> [CLI.Run?] {
    let results = Locked([CLI.Run?](repeating: nil, count: commands.count))
    DispatchQueue.concurrentPerform(iterations: commands.count) { i in
        let r = run(commands[i])
        results.update { $0[i] = r }
    }
    return results.get()
}
