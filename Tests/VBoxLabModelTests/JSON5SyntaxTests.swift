import Foundation
import Testing

@testable import VBoxLabModel

/// A syntax error and where it must be reported.
struct SyntaxCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var line: Int
    var column: Int
    var message: String
    var testDescription: String { name }
}

let syntaxCases: [SyntaxCase] = [
    SyntaxCase(
        name: "missing comma between members on separate lines",
        text: "{\n  name: \"a\"\n  vms: []\n}\n", line: 3, column: 3,
        message: "expected ',' or '}' after a value, found 'v'"),
    SyntaxCase(
        name: "missing comma between array items",
        text: "{ vms: [\n  1\n  2 ] }", line: 3, column: 3,
        message: "expected ',' or ']' after a value, found '2'"),
    SyntaxCase(
        name: "string ended by the end of the line",
        text: "{\n  name: \"abc\n}\n", line: 2, column: 13,
        message: "line break inside a string (end it with \" or escape the line break)"),
    SyntaxCase(
        name: "string ended by the end of the file",
        text: "{\n  a: 1,\n  name: 'abc", line: 3, column: 9,
        message: "unterminated string"),
    SyntaxCase(
        name: "duplicate key, quoted and unquoted",
        text: "{\n  name: \"a\",\n  vms: [],\n  \"name\": \"b\",\n}", line: 4, column: 3,
        message: "duplicate key \"name\""),
    SyntaxCase(
        name: "duplicate key in a nested object",
        text: "{ vms: [ { name: 'a', nics: [], name: 'b' } ] }", line: 1, column: 33,
        message: "duplicate key \"name\""),
    SyntaxCase(
        name: "unterminated block comment",
        text: "{\n  a: 1, /* note\n  b: 2\n}", line: 2, column: 9,
        message: "unterminated /* comment"),
    SyntaxCase(
        name: "missing colon",
        text: "{ a 1 }", line: 1, column: 5,
        message: "expected ':', found '1'"),
    SyntaxCase(
        name: "wrong closing bracket",
        text: "{ a: 1 ]", line: 1, column: 8,
        message: "expected ',' or '}' after a value, found ']'"),
    SyntaxCase(
        name: "unclosed object",
        text: "{\n  a: 1,\n", line: 3, column: 1,
        message: "expected a key or '}', found end of file"),
    SyntaxCase(
        name: "member cut off at the end of a line",
        text: "{\n  a: 1\n", line: 3, column: 1,
        message: "expected ',' or '}' after a value, found end of file"),
    SyntaxCase(
        name: "a member cut off by a line comment",
        text: "{ a: 1 // one\n", line: 2, column: 1,
        message: "expected ',' or '}' after a value, found end of file"),
    SyntaxCase(
        name: "empty document",
        text: "", line: 1, column: 1,
        message: "expected a value, found end of file"),
    SyntaxCase(
        name: "only a comment",
        text: "// nothing here\n", line: 2, column: 1,
        message: "expected a value, found end of file"),
    SyntaxCase(
        name: "text after the document",
        text: "{}\nx", line: 2, column: 1,
        message: "unexpected 'x' after the end of the document"),
    SyntaxCase(
        name: "a key that is not an identifier",
        text: "{ -a: 1 }", line: 1, column: 3,
        message: "expected a key or '}', found '-'"),
    SyntaxCase(
        name: "a value that is an unquoted word points at the word",
        text: "{ a: hello }", line: 1, column: 6,
        message: "expected a value, found 'hello' (strings need quotes)"),
    SyntaxCase(
        name: "a malformed number points at the number",
        text: "{ a: 1.2.3 }", line: 1, column: 6,
        message: "'1.2.3' is not a number"),
    SyntaxCase(
        name: "CRLF line endings count as lines",
        text: "{\r\n  name: \"a\"\r\n  vms: []\r\n}\r\n", line: 3, column: 3,
        message: "expected ',' or '}' after a value, found 'v'"),
    // What JSON5 forbids, now that no second parser is asked.
    SyntaxCase(
        name: "an octal escape", text: #"{ a: '\1' }"#, line: 1, column: 7,
        message: #"\1 is not an escape (JSON5 has no octal escapes)"#),
    SyntaxCase(
        name: "\\0 followed by a digit", text: #"{ a: '\01' }"#, line: 1, column: 7,
        message: #"\0 followed by a digit is not an escape (JSON5 has no octal escapes)"#),
    SyntaxCase(
        name: "a key starting with a digit", text: "{ 1a: 1 }", line: 1, column: 3,
        message: "expected a key or '}', found '1'"),
    SyntaxCase(
        name: "an escaped digit starting a key", text: #"{ \u0031: 1 }"#, line: 1, column: 3,
        message: #"\u0031 cannot start an unquoted key; quote the key"#),
    SyntaxCase(
        name: "an escaped space inside a key", text: #"{ a\u0020b: 1 }"#, line: 1, column: 4,
        message: #"\u0020 cannot be part of an unquoted key; quote the key"#),
    SyntaxCase(name: "hex without digits", text: "[0x]", line: 1, column: 2, message: "'0x' is not a number"),
    SyntaxCase(
        name: "two commas in an object", text: "{ a: 1, , }", line: 1, column: 9,
        message: "expected a key or '}', found ','"),
    SyntaxCase(
        name: "two commas in an array", text: "[1,,]", line: 1, column: 4, message: "expected a value, found ','"),
    SyntaxCase(
        name: "a short \\x escape", text: #"{ a: "\x4g" }"#, line: 1, column: 10,
        message: "expected 2 hex digits in an escape, found 'g'"),
    SyntaxCase(
        name: "a line comment ends at U+2028", text: "{ a: 1 // c\u{2028}b }", line: 1, column: 13,
        message: "expected ',' or '}' after a value, found 'b'"),
]

@Suite struct JSON5SyntaxTests {
    @Test(arguments: syntaxCases) func syntaxErrorPosition(_ c: SyntaxCase) {
        func check() {
            do {
                _ = try parseSpec(c.text, file: "s.json5")
                Issue.record("\(c.name): must be a syntax error")
            } catch {
                #expect(
                    error
                        == .syntax(
                            file: "s.json5", JSON5SyntaxError(line: c.line, column: c.column, message: c.message)))
                #expect(error.explanation == "error: s.json5:\(c.line):\(c.column): \(c.message)")
                #expect(error.exitCode == 2)
            }
        }
        check()
    }

    @Test func json5FeaturesAreAccepted() throws {
        let text = """
            // a line comment
            /* a block comment
               over two lines */
            {
              unquoted: 'single quotes',
              "double": "it's",
              'quoted key': 'say "hi"',
              escaped: 'it\\'s',
              hex: 0x1F,
              upperHex: 0XFF,
              plus: +2,
              leadingDot: .5,
              trailingDot: 3.,
              negative: -1.5e2,
              flags: [true, false, null,],
              nested: { a: [1, 2, 3,], },   // trailing commas everywhere
              $dollar_key: 1,
            }
            """
        let value = try JSONValue.parseJSON5(Data(text.utf8))
        #expect(
            value
                == .object([
                    "unquoted": .string("single quotes"),
                    "double": .string("it's"),
                    "quoted key": .string("say \"hi\""),
                    "escaped": .string("it's"),
                    "hex": .number(31),
                    "upperHex": .number(255),
                    "plus": .number(2),
                    "leadingDot": .number(0.5),
                    "trailingDot": .number(3),
                    "negative": .number(-150),
                    "flags": .array([.bool(true), .bool(false), .null]),
                    "nested": .object(["a": .array([.number(1), .number(2), .number(3)])]),
                    "$dollar_key": .number(1),
                ]))
    }

    @Test func json5LabIsAcceptedWholeByTheLoader() throws {
        let text = """
            // every JSON5 feature a person might use in a lab
            {
              name: 'json5-lab',   // single quotes
              "strategy": "auto",
              vms: [
                { name: 'h1', memory: 0x400, cpus: +2,
                  nics: [ { network: 'n1', ip: '1.1.1.1/24', }, ], },
                /* a second host */
                { name: "h2", nics: [ { network: "n1", ip: "1.1.1.2/24" } ] },
              ],
            }
            """
        let spec = try parseSpec(text)
        #expect(spec.name == "json5-lab" && spec.vms.count == 2)
        #expect(spec.vms[0].memory == 1024 && spec.vms[0].cpus == 2)
        #expect(spec.vms.map { $0.nics.first?.ip?.description } == ["1.1.1.1/24", "1.1.1.2/24"])
    }

    /// Windows line endings: the same lab with CRLF must load like the LF one.
    @Test func crlfLabWithCommentsLoads() {
        let lf =
            "// lab\n{\n  name: \"crlf\", // the name\n  vms: [ { name: \"h\", nics: [ { network: \"n\", ip: "
            + "\"1.1.1.1/24\" } ] } ],\n}\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let expected = try? parseSpec(lf)
        #expect(expected?.name == "crlf")
        #expect((try? parseSpec(crlf)) == expected)
    }

    /// The parser gives the very values Foundation's JSON5 decoder (the contract's reference)
    /// gives, on valid UTF-8 only: that is where the decoder is safe to ask, and only here,
    /// in the tests, since the parser no longer falls back to it at run time.
    @Test func parserAgreesWithFoundationsDecoder() throws {
        let texts = [
            "{}", "[]", "1", "'s'", "null", "  {a:[{}]}  ", "-Infinity", "+Infinity", "NaN", "-NaN", "\u{FEFF}{}",
            "{ a: 0x1F, b: .5, c: 5., d: +1e3, e: -2.5E-2, f: -0x10, g: +0xff, h: 1E+2, i: -0, k: 5.e1 }",
            #"{ 'k': "a\u00e9\x41\n", $x_1: [true, false, null,], "q": 'it\'s' }"#,
            "{ a: 1, /* c */ b: [1, 2,], // end\n }",
            "{ ünïcödé: 1, _$: 2, null: 4, true: 5, Infinity: 6, NaN: 7, ǅx: 8, ʰ: 9, Ⅻ: 10 }",
            "{ e\u{301}\u{200C}\u{200D}\u{203F}\u{0663}: 1, '': 2 }",
            #"{ s: '\uD83D\uDE00\"\'\\\/\b\f\n\r\t', t: "\x7e\u20AC" }"#,
            "[1, [2, [3, [4, {a: [5]}]]]]", "{\r\n\ta:\u{0B}1,\u{0C}b: 2\r}",
        ]
        for text in texts {
            var parser = JSON5Parser(Array(text.utf8))
            let ours = try parser.document()
            let foundation = try #require(FoundationJSON5.parse(Data(text.utf8)), "Foundation refuses \(text)")
            #expect(sameValue(ours, foundation), "\(text)")
        }
        for lab in bundledLabs {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(packageRoot)/labs/\(lab).json5"))
            var parser = JSON5Parser(Array(data))
            let foundation = try #require(FoundationJSON5.parse(data))
            #expect(try sameValue(parser.document(), foundation), "\(lab)")
        }
    }

    /// JSON5 that Foundation's decoder refuses or reads otherwise, and the parser must read as
    /// the JSON5 spec says: Foundation allows no raw control characters in strings, nor \v,
    /// \0 or other escaped characters, nor Unicode spaces, nor 0e5; it keeps the line break
    /// of a line continuation, which JSON5 drops; it keeps a `\u` escape in an unquoted key
    /// as written; and it ends a line comment only at LF or CR, not at U+2028 or U+2029.
    @Test func json5BeyondFoundationIsAccepted() throws {
        let text =
            "{ esc: '\\v\\0\\a\\q\\x00', raw: 'tab\there', lf: 'a\\\nb', crlf: \"c\\\r\nd\", ls: 'e\\\u{2028}f',"
            + " ps: 'g\\\u{2029}h',\u{3000}zs:\u{00A0}[1,\u{2003}2], big: 0xFFFFFFFFFFFFFFFFFF, nl: \"i\u{2028}j\", "
            + "zero: 0e5,"
            + " k\\u0065y: 1, \\u0024: 2 // to U+2029\u{2029}, end: 1 }"
        var parser = JSON5Parser(Array(text.utf8))
        #expect(
            try parser.document()
                == .object([
                    "esc": .string("\u{0B}\u{00}aq\u{00}"), "raw": .string("tab\there"), "lf": .string("ab"),
                    "crlf": .string("cd"),
                    "ls": .string("ef"), "ps": .string("gh"), "zs": .array([.number(1), .number(2)]),
                    "big": .number(0x1p72),
                    "nl": .string("i\u{2028}j"), "zero": .number(0), "key": .number(1), "$": .number(2),
                    "end": .number(1),
                ]))
    }

    @Test func nonObjectDocumentsPassSyntaxButFailValidation() {
        do {
            _ = try parseSpec("'just a string'")
            Issue.record("must be refused")
        } catch {
            #expect(
                error
                    == .invalidSpec([
                        SpecDiagnostic(
                            file: "t.json5", path: "", message: "expected an object, found \"just a string\"")
                    ]))
        }
    }
}

/// Foundation's reading of a JSON5 text as a `JSONValue`, or nil when it refuses the text:
/// the reference the parser is held to. Ask it about valid UTF-8 only (it crashed on
/// a malformed sequence where a key should start).
struct FoundationJSON5: Decodable {
    var value: JSONValue

    static func parse(_ data: Data) -> JSONValue? {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        return try? decoder.decode(FoundationJSON5.self, from: data).value
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        if var items = try? decoder.unkeyedContainer() {
            var out: [JSONValue] = []
            while !items.isAtEnd { out.append(try items.decode(FoundationJSON5.self).value) }
            value = .array(out)
        } else if let keyed = try? decoder.container(keyedBy: Key.self) {
            var out: [String: JSONValue] = [:]
            for key in keyed.allKeys {
                out[key.stringValue] = try keyed.decode(FoundationJSON5.self, forKey: key).value
            }
            value = .object(out)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                value = .null
            } else if let b = try? single.decode(Bool.self) {
                value = .bool(b)
            } else if let d = try? single.decode(Double.self) {
                value = .number(d)
            } else {
                value = .string(try single.decode(String.self))
            }
        }
    }
}

/// Equality that counts NaN equal to NaN, as two readings of `NaN` are the same value.
func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)): return x == y || (x.isNaN && y.isNaN)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, v in y[key].map { sameValue(v, $0) } ?? false }
    default: return a == b
    }
}
