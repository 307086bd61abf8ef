/// Ordered JSON for output. The contract shows fields in a fixed order and with
/// explicit nulls; `JSONEncoder` guarantees neither, so output is built from this.
public indirect enum JSONOut: Sendable, Equatable {
    case object([(String, JSONOut)])
    case array([JSONOut])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    public static func == (a: JSONOut, b: JSONOut) -> Bool { a.rendered() == b.rendered() }

    public static func optional(_ s: String?) -> JSONOut { s.map { .string($0) } ?? .null }

    /// Compact when `indent` is nil; otherwise one member per line, as `plan --json` prints.
    public func rendered(indent: Int? = nil) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 0)
        return out
    }

    private func write(to out: inout String, indent: Int?, level: Int) {
        func pad(_ l: Int) -> String { indent.map { "\n" + String(repeating: " ", count: $0 * l) } ?? "" }
        switch self {
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (i, (k, v)) in members.enumerated() {
                out += (i == 0 ? "" : ",") + pad(level + 1) + JSONOut.quote(k) + (indent == nil ? ":" : ": ")
                v.write(to: &out, indent: indent, level: level + 1)
            }
            out += pad(level) + "}"
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (i, v) in items.enumerated() {
                out += (i == 0 ? "" : ",") + pad(level + 1)
                v.write(to: &out, indent: indent, level: level + 1)
            }
            out += pad(level) + "]"
        case .string(let s): out += JSONOut.quote(s)
        case .int(let n): out += String(n)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    static func quote(_ s: String) -> String {
        // Nearly every string needs no escape; skip the scalar-by-scalar copy for those.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count)
                    + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
