/// Byte-level facts `JSON5Parser` needs: where UTF-8 goes wrong, and which characters
/// JSON5 counts as white space or allows in an unquoted key (ECMAScript 5.1 §7.2, §7.6).
enum JSON5Text {
    /// The offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode
    /// table 3-7: no overlong forms, no encoded surrogates, nothing above U+10FFFF), or nil.
    /// Checked once up front so that the parser can decode scalars without failing.
    static func firstInvalidUTF8(in b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 {
                i += 1
                continue
            }
            let length: Int
            let second: ClosedRange<UInt8>
            switch c {
            case 0xC2...0xDF:
                length = 2
                second = 0x80...0xBF
            case 0xE0:
                length = 3
                second = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF:
                length = 3
                second = 0x80...0xBF
            case 0xED:
                length = 3
                second = 0x80...0x9F
            case 0xF0:
                length = 4
                second = 0x90...0xBF
            case 0xF1...0xF3:
                length = 4
                second = 0x80...0xBF
            case 0xF4:
                length = 4
                second = 0x80...0x8F
            default: return i
            }
            guard i + length <= b.count, second.contains(b[i + 1]) else { return i }
            for k in 2..<length where b[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// The scalar starting at `i` and its length in bytes; `b` must be valid UTF-8 (U+FFFD
    /// and one byte for anything else, so that a mistake cannot read past the end).
    static func scalar(in b: [UInt8], at i: Int) -> (Unicode.Scalar, Int) {
        let c = b[i]
        if c < 0x80 { return (Unicode.Scalar(c), 1) }
        let length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
        guard c >= 0xC0, i + length <= b.count else { return ("\u{FFFD}", 1) }
        var v = UInt32(c) & (0xFF >> (length + 1))
        for k in 1..<length { v = v << 6 | UInt32(b[i + k] & 0x3F) }
        return (Unicode.Scalar(v) ?? "\u{FFFD}", length)
    }

    /// JSON5 white space beyond ASCII: NBSP, BOM and every other space separator (Zs).
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == "\u{FEFF}" || s.properties.generalCategory == .spaceSeparator
    }

    /// LINE SEPARATOR and PARAGRAPH SEPARATOR end a line comment and continue a string line.
    static func isUnicodeLineBreak(_ s: Unicode.Scalar) -> Bool { s == "\u{2028}" || s == "\u{2029}" }

    /// A character that may start an unquoted key: a letter, `$` or `_`.
    static func isKeyStart(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return s == "$" || s == "_" || ("a"..."z").contains(s) || ("A"..."Z").contains(s) }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .letterNumber:
            return true
        default: return false
        }
    }

    /// A character that may continue an unquoted key: also digits, combining marks,
    /// connector punctuation, ZWNJ and ZWJ.
    static func isKeyPart(_ s: Unicode.Scalar) -> Bool {
        if isKeyStart(s) || ("0"..."9").contains(s) || s == "\u{200C}" || s == "\u{200D}" { return true }
        switch s.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// The value of a JSON5 number (`-0x1F`, `.5`, `5.`, `+1e3`, `Infinity`, `NaN`), or nil.
    static func number(_ text: String) -> Double? {
        var body = Substring(text)
        var sign = 1.0
        if body.first == "+" || body.first == "-" {
            sign = body.first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        if body == "Infinity" { return sign * .infinity }
        if body == "NaN" { return .nan }
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            // Any number of digits: JSON5 does not bound hex integers, and a Double holds them approximately.
            let digits = body.dropFirst(2)
            guard !digits.isEmpty else { return nil }
            var v = 0.0
            for d in digits {
                guard let n = d.hexDigitValue else { return nil }
                v = v * 16 + Double(n)
            }
            return sign * v
        }
        // Decimal: digits with an optional point (either side may be empty, not both), no leading
        // zero but a lone one, then an optional exponent.
        let mantissa = body.prefix { $0 != "e" && $0 != "E" }
        let exponent = body.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            parts.contains(where: { !$0.isEmpty }),
            parts[0].count <= 1 || parts[0].first != "0"
        else { return nil }
        if !exponent.isEmpty {
            var e = exponent.dropFirst()
            if e.first == "+" || e.first == "-" { e = e.dropFirst() }
            guard !e.isEmpty, e.allSatisfy(\.isASCIIDigit) else { return nil }
        }
        let normal = (parts[0].isEmpty ? "0" : "") + mantissa + (mantissa.hasSuffix(".") ? "0" : "") + exponent
        return Double(normal).map { sign * $0 }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
