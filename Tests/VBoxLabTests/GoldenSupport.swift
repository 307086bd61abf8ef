import Foundation
import Testing

/// Compares text with a file under `Tests/VBoxLabTests/Golden/`. The files are
/// re-recorded only when `VBOXLAB_RECORD_GOLDEN=1` asks; otherwise a difference fails.
func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let path = "\(packageRoot)/Tests/VBoxLabTests/Golden/\(name)"
    if ProcessInfo.processInfo.environment["VBOXLAB_RECORD_GOLDEN"] == "1" {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
        Issue.record("no golden file \(path); record it with VBOXLAB_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
        return
    }
    if text != expected {
        let a = text.split(separator: "\n", omittingEmptySubsequences: false), b = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        Issue.record("differs from \(name) at line \(line + 1):\n  got:      \(line < a.count ? String(a[line]) : "<end>")\n  expected: \(line < b.count ? String(b[line]) : "<end>")",
                     sourceLocation: sourceLocation)
    }
}
