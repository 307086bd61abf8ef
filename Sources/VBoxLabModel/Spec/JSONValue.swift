import Foundation

/// A decoded JSON5 document, kept untyped so that validation can walk it, report
/// every problem with its JSON path, and spot unknown keys (which `Decodable` ignores).
public indirect enum JSONValue: Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    /// Parses JSON5 (comments, trailing commas, unquoted keys, single quotes) with `JSON5Parser`, which reports line
    /// and column. There is
    /// no second opinion at run time: Foundation's decoder, once asked about text this parser
    /// refused, crashed on malformed UTF-8 and deep nesting. The tests hold the two parsers
    /// to the same values on valid input.
    public static func parseJSON5(_ data: Data) throws(JSON5SyntaxError) -> JSONValue {
        var parser = JSON5Parser(Array(data))
        return try parser.document()
    }

    /// How a value reads in a message: strings quoted (control characters escaped), numbers without a needless `.0`.
    public var shortDescription: String {
        switch self {
        case .string(let s): return quoted(s)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A spec value inside a message: in double quotes, on one line, with control characters
/// escaped, so that a value holding ESC cannot drive the terminal that shows the message.
func quoted(_ s: String) -> String { "\"\(s.escapedOnOneLine)\"" }
