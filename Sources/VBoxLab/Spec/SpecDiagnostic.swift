/// One problem in a spec file, compiler-style: `FILE: vms[1].nics[0].ip: MESSAGE`.
public struct SpecDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// JSON path of the offending value (`vms[1].nics[0].ip`), or "" for the document.
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file; self.path = path; self.message = message
    }

    /// Escaped for the terminal as a whole: a path names keys from the spec, and a file
    /// name may hold anything, so no part can be trusted to be free of control characters.
    public var description: String {
        (path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)").escapedForTerminal
    }
}

/// Levenshtein distance, for "did you mean" on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var prev = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
            prev = cur
        }
    }
    return row[b.count]
}

/// The closest of `candidates` to `word`, when close enough to be a likely typo.
public func suggestion(for word: String, among candidates: [String]) -> String? {
    guard !word.isEmpty else { return nil }
    let scored = candidates.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
    guard let (best, distance) = scored else { return nil }
    let limit = max(1, min(3, best.count / 2))
    if distance <= limit { return best }
    if best.lowercased().hasPrefix(word.lowercased()) || word.lowercased().hasPrefix(best.lowercased()) { return best }
    return nil
}
