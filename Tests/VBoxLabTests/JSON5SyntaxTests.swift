import Foundation
import Testing
@testable import VBoxLab

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
    SyntaxCase(name: "missing comma between members on separate lines",
               text: "{\n  name: \"a\"\n  vms: []\n}\n", line: 3, column: 3,
               message: "expected ',' or '}' after a value, found 'v'"),
    SyntaxCase(name: "missing comma between array items",
               text: "{ vms: [\n  1\n  2 ] }", line: 3, column: 3,
               message: "expected ',' or ']' after a value, found '2'"),
    SyntaxCase(name: "string ended by the end of the line",
               text: "{\n  name: \"abc\n}\n", line: 2, column: 13,
               message: "line break inside a string (end it with \" or escape the line break)"),
    SyntaxCase(name: "string ended by the end of the file",
               text: "{\n  a: 1,\n  name: 'abc", line: 3, column: 9,
               message: "unterminated string"),
    SyntaxCase(name: "duplicate key, quoted and unquoted",
               text: "{\n  name: \"a\",\n  vms: [],\n  \"name\": \"b\",\n}", line: 4, column: 3,
               message: "duplicate key \"name\""),
    SyntaxCase(name: "duplicate key in a nested object",
               text: "{ vms: [ { name: 'a', nics: [], name: 'b' } ] }", line: 1, column: 33,
               message: "duplicate key \"name\""),
    SyntaxCase(name: "unterminated block comment",
               text: "{\n  a: 1, /* note\n  b: 2\n}", line: 2, column: 9,
               message: "unterminated /* comment"),
    SyntaxCase(name: "missing colon",
               text: "{ a 1 }", line: 1, column: 5,
               message: "expected ':', found '1'"),
    SyntaxCase(name: "wrong closing bracket",
               text: "{ a: 1 ]", line: 1, column: 8,
               message: "expected ',' or '}' after a value, found ']'"),
    SyntaxCase(name: "unclosed object",
               text: "{\n  a: 1,\n", line: 3, column: 1,
               message: "expected a key or '}', found end of file"),
    SyntaxCase(name: "member cut off at the end of a line",
               text: "{\n  a: 1\n", line: 3, column: 1,
               message: "expected ',' or '}' after a value, found end of file"),
    SyntaxCase(name: "a member cut off by a line comment",
               text: "{ a: 1 // one\n", line: 2, column: 1,
               message: "expected ',' or '}' after a value, found end of file"),
    SyntaxCase(name: "empty document",
               text: "", line: 1, column: 1,
               message: "expected a value, found end of file"),
    SyntaxCase(name: "only a comment",
               text: "// nothing here\n", line: 2, column: 1,
               message: "expected a value, found end of file"),
    SyntaxCase(name: "text after the document",
               text: "{}\nx", line: 2, column: 1,
               message: "unexpected 'x' after the end of the document"),
    SyntaxCase(name: "a key that is not an identifier",
               text: "{ -a: 1 }", line: 1, column: 3,
               message: "expected a key or '}', found '-'"),
    SyntaxCase(name: "a value that is an unquoted word points at the word",
               text: "{ a: hello }", line: 1, column: 6,
               message: "expected a value, found 'hello' (strings need quotes)"),
    SyntaxCase(name: "a malformed number points at the number",
               text: "{ a: 1.2.3 }", line: 1, column: 6,
               message: "'1.2.3' is not a number"),
    SyntaxCase(name: "CRLF line endings count as lines",
               text: "{\r\n  name: \"a\"\r\n  vms: []\r\n}\r\n", line: 3, column: 3,
               message: "expected ',' or '}' after a value, found 'v'"),
]

@Suite struct JSON5SyntaxTests {
    @Test(arguments: syntaxCases) func syntaxErrorPosition(_ c: SyntaxCase) {
        func check() {
            do {
                _ = try parseSpec(c.text, file: "s.json5")
                Issue.record("\(c.name): must be a syntax error")
            } catch {
                #expect(error == .syntax(file: "s.json5", JSON5SyntaxError(line: c.line, column: c.column, message: c.message)))
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
        #expect(value == .object([
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
        let lf = "// lab\n{\n  name: \"crlf\", // the name\n  vms: [ { name: \"h\", nics: [ { network: \"n\", ip: \"1.1.1.1/24\" } ] } ],\n}\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let expected = try? parseSpec(lf)
        #expect(expected?.name == "crlf")
        #expect((try? parseSpec(crlf)) == expected)
    }

    /// The parser gives the very values Foundation's JSON5 decoder (the contract's reference) gives.
    @Test func parserAgreesWithFoundationsDecoder() throws {
        let texts = ["{}", "[]", "1", "'s'", "null", "  {a:[{}]}  ", "-Infinity", "\u{FEFF}{}", "{ a: 0x1F, b: .5, c: 5., d: +1e3, e: -2.5E-2 }",
                     #"{ 'k': "a\u00e9\x41\n", $x_1: [true, false, null,], "q": 'it\'s' }"#, "{ a: 1, /* c */ b: [1, 2,], // end\n }"]
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        for text in texts {
            var parser = JSON5Parser(Array(text.utf8))
            let ours = try parser.document()
            let foundation = try decoder.decode(JSONValue.self, from: Data(text.utf8))
            #expect(ours == foundation, "\(text)")
        }
        for lab in bundledLabs {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(packageRoot)/labs/\(lab).json5"))
            var parser = JSON5Parser(Array(data))
            #expect(try parser.document() == decoder.decode(JSONValue.self, from: data), "\(lab)")
        }
    }

    @Test func nonObjectDocumentsPassSyntaxButFailValidation() {
        do {
            _ = try parseSpec("'just a string'")
            Issue.record("must be refused")
        } catch {
            #expect(error == .invalidSpec([SpecDiagnostic(file: "t.json5", path: "", message: "expected an object, found \"just a string\"")]))
        }
    }
}
