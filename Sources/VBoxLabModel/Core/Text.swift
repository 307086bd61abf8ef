import Foundation

/// Levenshtein distance, for "did you mean" on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased())
    let b = Array(b.lowercased())
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

/// Left-aligned columns separated by two spaces.
public enum TextTable {
    public static func render(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        var widths = Array(repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}

/// FNV-1a, 64 bits: tiny, and unlike `Hasher` the same in every process.
package func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}

/// "1 switch", "2 switches": counts in messages read as a person writes them.
public func counted(_ n: Int, _ one: String, _ many: String? = nil) -> String {
    "\(n) \(n == 1 ? one : many ?? one + "s")"
}

/// A value not among the ones a setting takes: one sentence shape for every such setting
/// (an option, a provider name, a strategy), with the valid values and a likely typo's fix.
public func notAChoice(_ value: String, noun: String, values: [String]) -> String {
    var message = "'\(value)' is not a \(noun) (valid: \(values.joined(separator: ", ")))"
    if let near = suggestion(for: value, among: values) { message += "; did you mean '\(near)'?" }
    return message
}
