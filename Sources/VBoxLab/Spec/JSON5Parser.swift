import Foundation

/// A one-pass JSON5 parser over UTF-8 bytes that knows where it is. Foundation's
/// decoder says only "not valid JSON" on Linux (a person editing a spec needs the line
/// and column), accepts repeated keys silently, and takes about 0.4 s for a 10,000-VM
/// lab; this takes a small fraction of that. `JSONValue.parseJSON5` still asks
/// Foundation's decoder about any text this parser rejects, so every document that
/// decoder accepts is accepted.
struct JSON5Parser {
    private let b: [UInt8]
    private var i = 0
    private var line = 1
    private var column = 1

    init(_ bytes: [UInt8]) { b = bytes }

    /// The whole document as a value.
    mutating func document() throws(JSON5SyntaxError) -> JSONValue {
        try skipSpace()
        let v = try value()
        try skipSpace()
        if i < b.count { throw fail("unexpected \(describe()) after the end of the document") }
        return v
    }

    // MARK: positions and messages

    private func fail(_ message: String) -> JSON5SyntaxError { JSON5SyntaxError(line: line, column: column, message: message) }
    private func here() -> (Int, Int) { (line, column) }
    private func fail(at p: (Int, Int), _ message: String) -> JSON5SyntaxError { JSON5SyntaxError(line: p.0, column: p.1, message: message) }
    private var peek: UInt8? { i < b.count ? b[i] : nil }

    private func describe() -> String {
        guard i < b.count else { return "end of file" }
        if b[i] == 0x0A || b[i] == 0x0D { return "end of line" }
        var end = i + 1
        while end < b.count && b[end] & 0xC0 == 0x80 { end += 1 }
        return "'\(String(decoding: b[i..<end], as: UTF8.self))'"
    }

    /// Moves one byte on, counting lines (LF, CR LF or a lone CR) and columns (characters, not bytes).
    private mutating func advance() {
        let c = b[i]
        i += 1
        if c == 0x0A || (c == 0x0D && peek != 0x0A) { line += 1; column = 1 }
        else if c == 0x0D { }
        else if c & 0xC0 != 0x80 { column += 1 }
    }

    private mutating func expect(_ c: UInt8) throws(JSON5SyntaxError) {
        guard peek == c else { throw fail("expected '\(Character(UnicodeScalar(c)))', found \(describe())") }
        advance()
    }

    // MARK: white space and comments

    /// Length of the white-space sequence at `i`, or 0 (ASCII space, BOM, NBSP, U+2028, U+2029).
    private func spaceLength() -> Int {
        guard let c = peek else { return 0 }
        switch c {
        case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: return 1
        case 0xC2 where i + 1 < b.count && b[i + 1] == 0xA0: return 2
        case 0xEF where i + 2 < b.count && b[i + 1] == 0xBB && b[i + 2] == 0xBF: return 3
        case 0xE2 where i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9): return 3
        default: return 0
        }
    }

    private mutating func skipSpace() throws(JSON5SyntaxError) {
        while let c = peek {
            let n = spaceLength()
            if n > 0 { for _ in 0..<n { advance() }; continue }
            guard c == UInt8(ascii: "/"), i + 1 < b.count else { return }
            if b[i + 1] == UInt8(ascii: "/") {
                while let d = peek, d != 0x0A, d != 0x0D { advance() }
            } else if b[i + 1] == UInt8(ascii: "*") {
                let start = here()
                advance(); advance()
                while true {
                    guard let d = peek else { throw fail(at: start, "unterminated /* comment") }
                    if d == UInt8(ascii: "*"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") { advance(); advance(); break }
                    advance()
                }
            } else { return }
        }
    }

    // MARK: values

    private mutating func value() throws(JSON5SyntaxError) -> JSONValue {
        guard let c = peek else { throw fail("expected a value, found end of file") }
        switch c {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try string())
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."): return try number()
        default:
            let start = here()
            let word = identifier()
            switch word {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            case "Infinity": return .number(.infinity)
            case "NaN": return .number(.nan)
            default:
                throw fail(at: start, word.isEmpty ? "expected a value, found \(describe())" : "expected a value, found '\(word)' (strings need quotes)")
            }
        }
    }

    private mutating func object() throws(JSON5SyntaxError) -> JSONValue {
        advance()
        var members: [String: JSONValue] = [:]
        try skipSpace()
        while peek != UInt8(ascii: "}") {
            let at = here()
            let key: String
            if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "'") { key = try string() } else {
                guard let c = peek, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { throw fail("expected a key or '}', found \(describe())") }
                key = identifier()
                if key.isEmpty { throw fail("expected a key or '}', found \(describe())") }
            }
            if members[key] != nil { throw fail(at: at, "duplicate key \"\(key)\"") }
            try skipSpace()
            try expect(UInt8(ascii: ":"))
            try skipSpace()
            members[key] = try value()
            try skipSpace()
            if peek == UInt8(ascii: ",") { advance(); try skipSpace() }
            else if peek != UInt8(ascii: "}") { throw fail("expected ',' or '}' after a value, found \(describe())") }
        }
        advance()
        return .object(members)
    }

    private mutating func array() throws(JSON5SyntaxError) -> JSONValue {
        advance()
        var items: [JSONValue] = []
        try skipSpace()
        while peek != UInt8(ascii: "]") {
            items.append(try value())
            try skipSpace()
            if peek == UInt8(ascii: ",") { advance(); try skipSpace() }
            else if peek != UInt8(ascii: "]") { throw fail("expected ',' or ']' after a value, found \(describe())") }
        }
        advance()
        return .array(items)
    }

    private mutating func string() throws(JSON5SyntaxError) -> String {
        let quote = b[i], start = here()
        advance()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail(at: start, "unterminated string") }
            if c == quote { advance(); return String(decoding: out, as: UTF8.self) }
            if c == 0x0A || c == 0x0D {
                throw fail("line break inside a string (end it with \(Character(UnicodeScalar(quote))) or escape the line break)")
            }
            if c != UInt8(ascii: "\\") { out.append(c); advance(); continue }
            advance()
            guard let e = peek else { throw fail(at: start, "unterminated string") }
            advance()
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "0"): out.append(0x00)
            case 0x0D: if peek == 0x0A { advance() }      // line continuation
            case 0x0A: break
            case UInt8(ascii: "x"): out += Array(String(Character(UnicodeScalar(UInt8(try hex(2))))).utf8)
            case UInt8(ascii: "u"):
                var scalar = try hex(4)
                if (0xD800..<0xDC00).contains(scalar), peek == UInt8(ascii: "\\"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "u") {
                    advance(); advance()
                    let low = try hex(4)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out += Array(String(UnicodeScalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
            default: out.append(e)
            }
        }
    }

    private mutating func hex(_ count: Int) throws(JSON5SyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<count {
            guard let c = peek, let d = Character(UnicodeScalar(c)).hexDigitValue else { throw fail("expected \(count) hex digits in an escape, found \(describe())") }
            v = v << 4 | UInt32(d)
            advance()
        }
        return v
    }

    private mutating func identifier() -> String {
        let start = i
        while let c = peek, c >= 0x80 && spaceLength() == 0 || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") { advance() }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    private mutating func number() throws(JSON5SyntaxError) -> JSONValue {
        let start = here(), from = i
        while let c = peek, (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") { advance() }
        let text = String(decoding: b[from..<i], as: UTF8.self)
        var body = Substring(text), sign = 1.0
        if body.first == "+" || body.first == "-" { sign = body.first == "-" ? -1 : 1; body = body.dropFirst() }
        let bad = JSON5SyntaxError(line: start.0, column: start.1, message: "'\(text)' is not a number")
        if body == "Infinity" { return .number(sign * .infinity) }
        if body == "NaN" { return .number(.nan) }
        if body.lowercased().hasPrefix("0x") {
            guard let v = UInt64(body.dropFirst(2), radix: 16) else { throw bad }
            return .number(sign * Double(v))
        }
        // Decimal: digits with an optional point (either side may be empty, not both), optional exponent.
        let mantissa = body.prefix { $0 != "e" && $0 != "E" }
        let exponent = body.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), parts.contains(where: { !$0.isEmpty }),
              parts[0].count <= 1 || parts[0].first != "0" else { throw bad }
        if !exponent.isEmpty {
            var e = exponent.dropFirst()
            if e.first == "+" || e.first == "-" { e = e.dropFirst() }
            guard !e.isEmpty, e.allSatisfy(\.isASCIIDigit) else { throw bad }
        }
        let normal = (parts[0].isEmpty ? "0" : "") + mantissa + (mantissa.hasSuffix(".") ? "0" : "") + exponent
        guard let v = Double(normal) else { throw bad }
        return .number(sign * v)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
