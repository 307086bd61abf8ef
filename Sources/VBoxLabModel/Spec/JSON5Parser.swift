/// A one-pass JSON5 parser over UTF-8 bytes that knows where it is, and the only
/// parser specs go through. Foundation's decoder says only "not valid JSON" on Linux
/// (a person editing a spec needs the line and column), accepts repeated keys silently,
/// takes about 0.4 s for a 10,000-VM lab, and crashed on malformed UTF-8; the tests
/// compare the two on valid input instead. Everything the JSON5 spec allows is accepted.
struct JSON5Parser {
    /// A lab spec nests six levels; the limit keeps the recursion far from the end of the
    /// stack, which about 22,600 levels of `[` (a 45 KB file) overflowed.
    static let maxDepth = 64

    let b: [UInt8]
    var i = 0
    var line = 1
    var column = 1
    var depth = 0

    init(_ bytes: [UInt8]) { b = bytes }

    /// The whole document as a value.
    mutating func document() throws(JSON5SyntaxError) -> JSONValue {
        if let bad = JSON5Text.firstInvalidUTF8(in: b) {
            while i < bad { advance() }
            throw fail("invalid UTF-8 at byte offset \(bad) (0x\(hex(b[bad], width: 2))); save the spec as UTF-8")
        }
        try skipSpace()
        let v = try value()
        try skipSpace()
        if i < b.count { throw fail("unexpected \(describe()) after the end of the document") }
        return v
    }

    // MARK: positions and messages

    func fail(_ message: String) -> JSON5SyntaxError {
        JSON5SyntaxError(line: line, column: column, message: message)
    }
    func here() -> (Int, Int) { (line, column) }
    func fail(at p: (Int, Int), _ message: String) -> JSON5SyntaxError {
        JSON5SyntaxError(line: p.0, column: p.1, message: message)
    }
    var peek: UInt8? { i < b.count ? b[i] : nil }

    /// The character at `i` as a message shows it: quoted, control characters escaped.
    func describe() -> String {
        guard i < b.count else { return "end of file" }
        if b[i] == 0x0A || b[i] == 0x0D { return "end of line" }
        return "'\(String(Character(JSON5Text.scalar(in: b, at: i).0)).escapedOnOneLine)'"
    }

    /// Moves one byte on, counting lines (LF, CR LF or a lone CR) and columns (characters, not bytes).
    mutating func advance() {
        let c = b[i]
        i += 1
        if c == 0x0A || (c == 0x0D && peek != 0x0A) {
            line += 1
            column = 1
        } else if c == 0x0D {
        } else if c & 0xC0 != 0x80 {
            column += 1
        }
    }

    mutating func advance(_ n: Int) { for _ in 0..<n { advance() } }

    mutating func expect(_ c: UInt8) throws(JSON5SyntaxError) {
        guard peek == c else { throw fail("expected '\(Character(UnicodeScalar(c)))', found \(describe())") }
        advance()
    }

    /// Counts one more level of nesting at an opening bracket.
    mutating func enter() throws(JSON5SyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nesting deeper than \(Self.maxDepth) levels") }
    }

    // MARK: white space and comments

    /// Length of the white space or line break at `i`, or 0.
    func spaceLength() -> Int {
        guard let c = peek else { return 0 }
        switch c {
        case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: return 1
        case 0x00..<0x80: return 0
        default:
            let (s, n) = JSON5Text.scalar(in: b, at: i)
            return JSON5Text.isSpace(s) || JSON5Text.isUnicodeLineBreak(s) ? n : 0
        }
    }

    /// True at U+2028 or U+2029, which end a line comment as LF does.
    var atUnicodeLineBreak: Bool {
        i + 2 < b.count && b[i] == 0xE2 && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9)
    }

    mutating func skipSpace() throws(JSON5SyntaxError) {
        while let c = peek {
            let n = spaceLength()
            if n > 0 {
                advance(n)
                continue
            }
            guard c == UInt8(ascii: "/"), i + 1 < b.count else { return }
            if b[i + 1] == UInt8(ascii: "/") {
                while let d = peek, d != 0x0A, d != 0x0D, !atUnicodeLineBreak { advance() }
            } else if b[i + 1] == UInt8(ascii: "*") {
                let start = here()
                advance(2)
                while true {
                    guard let d = peek else { throw fail(at: start, "unterminated /* comment") }
                    if d == UInt8(ascii: "*"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") {
                        advance(2)
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    // MARK: values

    mutating func value() throws(JSON5SyntaxError) -> JSONValue {
        guard let c = peek else { throw fail("expected a value, found end of file") }
        switch c {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try string())
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return try number()
        default:
            let start = here()
            let word = bareWord()
            switch word {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            case "Infinity": return .number(.infinity)
            case "NaN": return .number(.nan)
            default:
                throw fail(
                    at: start,
                    word.isEmpty
                        ? "expected a value, found \(describe())"
                        : "expected a value, found '\(word.escapedOnOneLine)' (strings need quotes)")
            }
        }
    }

    mutating func object() throws(JSON5SyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        advance()
        var members: [String: JSONValue] = [:]
        try skipSpace()
        while peek != UInt8(ascii: "}") {
            let at = here()
            let key: String
            if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "'") {
                key = try string()
            } else {
                guard let k = try unquotedKey() else { throw fail("expected a key or '}', found \(describe())") }
                key = k
            }
            if members[key] != nil { throw fail(at: at, "duplicate key \"\(key.escapedOnOneLine)\"") }
            try skipSpace()
            try expect(UInt8(ascii: ":"))
            try skipSpace()
            members[key] = try value()
            try skipSpace()
            if peek == UInt8(ascii: ",") {
                advance()
                try skipSpace()
            } else if peek != UInt8(ascii: "}") {
                throw fail("expected ',' or '}' after a value, found \(describe())")
            }
        }
        advance()
        return .object(members)
    }

    mutating func array() throws(JSON5SyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        advance()
        var items: [JSONValue] = []
        try skipSpace()
        while peek != UInt8(ascii: "]") {
            items.append(try value())
            try skipSpace()
            if peek == UInt8(ascii: ",") {
                advance()
                try skipSpace()
            } else if peek != UInt8(ascii: "]") {
                throw fail("expected ',' or ']' after a value, found \(describe())")
            }
        }
        advance()
        return .array(items)
    }

    mutating func unquotedKey() throws(JSON5SyntaxError) -> String? {
        var out: [UInt8] = []
        while let c = peek {
            let at = here()
            if c == UInt8(ascii: "\\") {
                guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "u") else { break }
                advance(2)
                let s = try unicodeEscape(at: at)
                guard out.isEmpty ? JSON5Text.isKeyStart(s) : JSON5Text.isKeyPart(s) else {
                    let written = s.value > 0xFFFF ? "\\u{\(hex(s.value, width: 4))}" : "\\u\(hex(s.value, width: 4))"
                    throw fail(
                        at: at,
                        "\(written) cannot \(out.isEmpty ? "start" : "be part of") an unquoted key; quote the key")
                }
                out += utf8(s)
            } else {
                let (s, n) = JSON5Text.scalar(in: b, at: i)
                guard out.isEmpty ? JSON5Text.isKeyStart(s) : JSON5Text.isKeyPart(s) else { break }
                out += b[i..<i + n]
                advance(n)
            }
        }
        return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
    }

    /// The word at `i` in a value's place (`true`, or an unquoted string to report).
    mutating func bareWord() -> String {
        let start = i
        while i < b.count {
            let (s, n) = JSON5Text.scalar(in: b, at: i)
            guard JSON5Text.isKeyPart(s) else { break }
            advance(n)
        }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    /// A number token: everything number-like from here, then judged whole by `JSON5Text.number`.
    mutating func number() throws(JSON5SyntaxError) -> JSONValue {
        let start = here()
        let from = i
        while let c = peek,
            (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        { advance() }
        let text = String(decoding: b[from..<i], as: UTF8.self)
        guard let v = JSON5Text.number(text) else { throw fail(at: start, "'\(text)' is not a number") }
        return .number(v)
    }
}
