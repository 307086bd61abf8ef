import Foundation

/// Strings: quotes, escapes (JSON5's, with no octal), `\x` and `\u` with surrogate pairs.
extension JSON5Parser {
    /// `\b \f \n \r \t \v`, each one byte.
    static let singleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D,
        UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0B,
    ]

    mutating func string() throws(JSON5SyntaxError) -> String {
        let quote = b[i]
        let start = here()
        advance()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail(at: start, "unterminated string") }
            if c == quote {
                advance()
                return String(decoding: out, as: UTF8.self)
            }
            if c == 0x0A || c == 0x0D {
                throw fail(
                    "line break inside a string (end it with \(Character(UnicodeScalar(quote))) or escape the line "
                        + "break)"
                )
            }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                advance()
                continue
            }
            try escapeSequence(into: &out, stringStart: start)
        }
    }

    /// After a backslash in a string: appends what the escape stands for (nothing for a line continuation).
    private mutating func escapeSequence(into out: inout [UInt8], stringStart start: (Int, Int))
        throws(JSON5SyntaxError)
    {
        let escape = here()
        advance()
        guard let e = peek else { throw fail(at: start, "unterminated string") }
        if let byte = Self.singleEscapes[e] {
            out.append(byte)
            advance()
            return
        }
        switch e {
        case UInt8(ascii: "0"):
            advance()
            if let d = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(d) {
                throw fail(at: escape, "\\0 followed by a digit is not an escape (JSON5 has no octal escapes)")
            }
            out.append(0)
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            throw fail(at: escape, "\\\(Character(UnicodeScalar(e))) is not an escape (JSON5 has no octal escapes)")
        case 0x0D:
            advance()
            if peek == 0x0A { advance() }  // line continuation
        case 0x0A: advance()
        case UInt8(ascii: "x"):
            advance()
            out += utf8(Unicode.Scalar(UInt8(try hexDigits(2))))
        case UInt8(ascii: "u"):
            advance()
            out += utf8(try unicodeEscape(at: escape))
        default:
            // U+2028 and U+2029 continue the line too; any other character stands for itself.
            let n = JSON5Text.scalar(in: b, at: i).1
            if !atUnicodeLineBreak { out += b[i..<i + n] }
            advance(n)
        }
    }

    /// After `\u`: four hex digits, and for a high surrogate the `\u` low surrogate that must follow.
    mutating func unicodeEscape(at escape: (Int, Int)) throws(JSON5SyntaxError) -> Unicode.Scalar {
        let unit = try hexDigits(4)
        if (0xDC00...0xDFFF).contains(unit) {
            throw fail(
                at: escape,
                "unpaired surrogate \\u\(hex(unit, width: 4)): a low surrogate must come right after a \\u escape of "
                    + "a high surrogate (\\uD800-\\uDBFF)"
            )
        }
        guard (0xD800...0xDBFF).contains(unit) else { return Unicode.Scalar(unit) ?? "\u{FFFD}" }
        let unpaired = fail(
            at: escape,
            "unpaired surrogate \\u\(hex(unit, width: 4)): a high surrogate must be followed by a \\u escape of a "
                + "low surrogate (\\uDC00-\\uDFFF)"
        )
        guard i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else { throw unpaired }
        advance(2)
        let low = try hexDigits(4)
        guard (0xDC00...0xDFFF).contains(low) else { throw unpaired }
        return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
    }

    mutating func hexDigits(_ count: Int) throws(JSON5SyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<count {
            guard let c = peek, let d = Character(UnicodeScalar(c)).hexDigitValue else {
                throw fail("expected \(count) hex digits in an escape, found \(describe())")
            }
            v = v << 4 | UInt32(d)
            advance()
        }
        return v
    }

    /// An unquoted key (an ECMAScript identifier name, `\u` escapes decoded), or nil when none starts here.
    func utf8(_ s: Unicode.Scalar) -> [UInt8] { Array(String(Character(s)).utf8) }
    func hex<T: BinaryInteger>(_ v: T, width: Int) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
