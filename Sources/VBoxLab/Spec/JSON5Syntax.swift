/// A JSON5 grammar check that knows where it is. Foundation's decoder says only
/// "not valid JSON" on Linux; a person editing a spec needs the line and column.
/// It builds no values: the decoder does that.
struct JSON5Syntax {
    private let chars: [Character]
    private var i = 0
    private var line = 1
    private var column = 1

    static func firstProblem(in text: String) -> JSON5SyntaxError? {
        var s = JSON5Syntax(chars: Array(text))
        do throws(JSON5SyntaxError) {
            try s.skipSpace()
            try s.value()
            try s.skipSpace()
            if s.i < s.chars.count { throw s.fail("unexpected \(s.describe(s.chars[s.i])) after the end of the document") }
            return nil
        } catch { return error }
    }

    private init(chars: [Character]) { self.chars = chars }

    private func fail(_ message: String) -> JSON5SyntaxError { JSON5SyntaxError(line: line, column: column, message: message) }
    private var peek: Character? { i < chars.count ? chars[i] : nil }
    private func describe(_ c: Character?) -> String {
        guard let c else { return "end of file" }
        return c.isNewline ? "end of line" : "'\(c)'"
    }

    private mutating func advance() {
        // "\r\n" is one Character in Swift: any newline Character ends a line.
        if chars[i].isNewline { line += 1; column = 1 } else { column += 1 }
        i += 1
    }

    private mutating func expect(_ c: Character) throws(JSON5SyntaxError) {
        guard peek == c else { throw fail("expected '\(c)', found \(describe(peek))") }
        advance()
    }

    private mutating func skipSpace() throws(JSON5SyntaxError) {
        while let c = peek {
            if c.isWhitespace || c == "\u{FEFF}" { advance(); continue }
            guard c == "/", i + 1 < chars.count else { return }
            if chars[i + 1] == "/" {
                while let d = peek, !d.isNewline { advance() }
            } else if chars[i + 1] == "*" {
                let start = fail("unterminated /* comment")
                advance(); advance()
                while true {
                    guard let d = peek else { throw start }
                    if d == "*", i + 1 < chars.count, chars[i + 1] == "/" { advance(); advance(); break }
                    advance()
                }
            } else { return }
        }
    }

    private mutating func value() throws(JSON5SyntaxError) {
        guard let c = peek else { throw fail("expected a value, found end of file") }
        switch c {
        case "{": try object()
        case "[": try array()
        case "\"", "'": try string()
        default:
            if c.isNumber || "+-.".contains(c) { try number(); return }
            let start = fail("")
            let word = identifier()
            guard ["true", "false", "null", "Infinity", "NaN"].contains(word) else {
                throw JSON5SyntaxError(line: start.line, column: start.column, message: word.isEmpty ? "expected a value, found \(describe(c))"
                                        : "expected a value, found '\(word)' (strings need quotes)")
            }
        }
    }

    private mutating func object() throws(JSON5SyntaxError) {
        advance()
        var seen = Set<String>()
        try skipSpace()
        while peek != "}" {
            let at = fail("")
            let key: String
            if peek == "\"" || peek == "'" { key = try string() } else {
                key = identifier()
                if key.isEmpty { throw fail("expected a key or '}', found \(describe(peek))") }
            }
            if !seen.insert(key).inserted {
                throw JSON5SyntaxError(line: at.line, column: at.column, message: "duplicate key \"\(key)\"")
            }
            try skipSpace()
            try expect(":")
            try skipSpace()
            try value()
            try skipSpace()
            if peek == "," { advance(); try skipSpace() } else if peek != "}" {
                throw fail("expected ',' or '}' after a value, found \(describe(peek))")
            }
        }
        advance()
    }

    private mutating func array() throws(JSON5SyntaxError) {
        advance()
        try skipSpace()
        while peek != "]" {
            try value()
            try skipSpace()
            if peek == "," { advance(); try skipSpace() } else if peek != "]" {
                throw fail("expected ',' or ']' after a value, found \(describe(peek))")
            }
        }
        advance()
    }

    @discardableResult
    private mutating func string() throws(JSON5SyntaxError) -> String {
        let quote = chars[i]
        let start = fail("unterminated string")
        advance()
        var out = ""
        while true {
            guard let c = peek else { throw start }
            if c == quote { advance(); return out }
            if c.isNewline { throw fail("line break inside a string (end it with \(quote) or escape the line break)") }
            if c == "\\" {
                advance()
                guard let e = peek else { throw start }
                out.append(e)
            } else { out.append(c) }
            advance()
        }
    }

    private mutating func identifier() -> String {
        var out = ""
        while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "$" { out.append(c); advance() }
        return out
    }

    private mutating func number() throws(JSON5SyntaxError) {
        let start = fail("")
        var text = ""
        while let c = peek, c.isLetter || c.isNumber || "+-.".contains(c) { text.append(c); advance() }
        var body = Substring(text)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        let ok: Bool
        if body == "Infinity" || body == "NaN" { ok = true }
        else if body.lowercased().hasPrefix("0x") { ok = body.count > 2 && body.dropFirst(2).allSatisfy(\.isHexDigit) }
        else { ok = !body.isEmpty && body != "." && Double(body.hasPrefix(".") ? "0" + body : String(body)) != nil
            && body.allSatisfy { $0.isNumber || "eE+-.".contains($0) } }
        if !ok { throw JSON5SyntaxError(line: start.line, column: start.column, message: "'\(text)' is not a number") }
    }
}
