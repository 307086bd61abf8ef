import Foundation

/// A decoded JSON5 document, kept untyped so that validation can walk it, report
/// every problem with its JSON path, and spot unknown keys (which `Decodable` ignores).
public indirect enum JSONValue: Decodable, Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public init(from decoder: Decoder) throws {
        if var items = try? decoder.unkeyedContainer() {
            var out: [JSONValue] = []
            while !items.isAtEnd { out.append(try items.decode(JSONValue.self)) }
            self = .array(out)
        } else if let keyed = try? decoder.container(keyedBy: AnyCodingKey.self) {
            var out: [String: JSONValue] = [:]
            for key in keyed.allKeys { out[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(out)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { self = .null }
            else if let b = try? single.decode(Bool.self) { self = .bool(b) }
            else if let d = try? single.decode(Double.self) { self = .number(d) }
            else { self = .string(try single.decode(String.self)) }
        }
    }

    /// Parses JSON5 (lab-spec §1) with `JSON5Parser`, which reports line and column. Text it
    /// rejects for any reason but a repeated key goes to Foundation's `JSONDecoder`
    /// (`allowsJSON5`), the contract's reference, so nothing that decoder accepts is refused.
    public static func parseJSON5(_ data: Data) throws(JSON5SyntaxError) -> JSONValue {
        var parser = JSON5Parser(Array(data))
        do { return try parser.document() } catch {
            if error.message.hasPrefix("duplicate key") { throw error }
            let decoder = JSONDecoder()
            decoder.allowsJSON5 = true
            if let value = try? decoder.decode(JSONValue.self, from: data) { return value }
            throw error
        }
    }

    /// How a value reads in a message: strings quoted, numbers without a needless `.0`.
    public var shortDescription: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

public struct JSON5SyntaxError: Error, Equatable, Sendable {
    public var line: Int?
    public var column: Int?
    public var message: String
}
