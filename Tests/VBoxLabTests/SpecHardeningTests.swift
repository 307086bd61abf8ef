import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

// Reading a spec, hardened: inputs that once crashed vboxlab, names and addresses that
// validated but could never work, and control characters echoed to the terminal.

private let hostA = #"{ name: "h1", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#
private let hostB = #"{ name: "h2", nics: [ { network: "n1", ip: "1.1.1.2/24" } ] }"#

private func lab(_ vms: String..., name: String = "lab") -> String {
    "{ name: \"\(name)\", vms: [\n  \(vms.joined(separator: ",\n  ")),\n] }"
}

/// A VM bridging its one NIC, with the bridge named `name` (as written in the spec).
private func bridged(_ name: String, ip: String = "") -> String {
    #"{ name: "b", nics: [ { network: "n1" } ], bridges: [ { name: "\#(name)", ports: ["n1"]\#(ip) } ] }"#
}

private func withInterface(_ name: String) -> String {
    #"{ name: "h1", nics: [ { network: "n1", ip: "1.1.1.1/24", interface: "\#(name)" } ] }"#
}

private func withIP(_ ip: String) -> String { #"{ name: "h1", nics: [ { network: "n1", ip: "\#(ip)" } ] }"# }

/// The whole message `vboxlab validate` prints for `bytes`, after checking that it is an exit-2 error.
private func refusal(_ bytes: [UInt8]) -> String? {
    do {
        _ = try LabLoader.parse(Data(bytes), file: "t.json5", rules: ProviderRegistry.specRules)
        return nil
    } catch {
        #expect(error.exitCode == 2)
        return error.explanation
    }
}

private func refusal(_ text: String) -> String? { refusal(Array(text.utf8)) }

/// The message for one spec error: the diagnostic line and the count.
private func one(_ line: String) -> String { "error: t.json5: \(line)\n1 error in the spec; nothing was created" }

@Suite struct SpecHardeningTests {
    // MARK: 1. inputs that crashed

    @Test(arguments: [
        (
            #"{ name: "\uD800\u0041" }"#,
            #"error: t.json5:1:10: unpaired surrogate \uD800: a high surrogate must be followed by a \u escape of a "#
                + #"low surrogate (\uDC00-\uDFFF)"#
        ),
        (
            #"{ name: "\ud800" }"#,
            #"error: t.json5:1:10: unpaired surrogate \uD800: a high surrogate must be followed by a \u escape of a "#
                + #"low surrogate (\uDC00-\uDFFF)"#
        ),
        (
            #"{ name: 'x\uDBFF\n' }"#,
            #"error: t.json5:1:11: unpaired surrogate \uDBFF: a high surrogate must be followed by a \u escape of a "#
                + #"low surrogate (\uDC00-\uDFFF)"#
        ),
        (
            #"{ name: "\uDC00" }"#,
            #"error: t.json5:1:10: unpaired surrogate \uDC00: a low surrogate must come right after a \u escape of "#
                + #"a high surrogate (\uD800-\uDBFF)"#
        ),
        (
            #"{ \uD800x: 1 }"#,
            #"error: t.json5:1:3: unpaired surrogate \uD800: a high surrogate must be followed by a \u escape of a "#
                + #"low surrogate (\uDC00-\uDFFF)"#
        ),
    ])
    func unpairedSurrogateIsASyntaxError(text: String, expected: String) {
        #expect(refusal(text) == expected)
    }

    @Test func pairedSurrogatesMakeOneCharacter() throws {
        var parser = JSON5Parser(Array(#"["\uD83D\uDE00", "\udbff\udfff"]"#.utf8))
        #expect(try parser.document() == .array([.string("😀"), .string("\u{10FFFF}")]))
    }

    @Test(
        arguments: [
            (
                [0x7B, 0xF8, 0x61, 0x62, 0x63, 0x64],
                "error: t.json5:1:2: invalid UTF-8 at byte offset 1 (0xF8); save the spec as UTF-8"
            ),
            (
                Array("{ name: \"é\",\n  vms: \"".utf8) + [0xFF, 0x22, 0x7D],
                "error: t.json5:2:9: invalid UTF-8 at byte offset 22 (0xFF); save the spec as UTF-8"
            ),
            (
                [0x22, 0xC0, 0x80, 0x22],
                "error: t.json5:1:2: invalid UTF-8 at byte offset 1 (0xC0); save the spec as UTF-8"
            ),  // overlong NUL
            (
                [0x22, 0xED, 0xA0, 0x80, 0x22],
                "error: t.json5:1:2: invalid UTF-8 at byte offset 1 (0xED); save the spec as UTF-8"
            ),  // encoded surrogate
            (
                [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
                "error: t.json5:1:2: invalid UTF-8 at byte offset 1 (0xF4); save the spec as UTF-8"
            ),  // above U+10FFFF
            (
                [0x7B, 0x7D, 0x20, 0xE2, 0x82],
                "error: t.json5:1:4: invalid UTF-8 at byte offset 3 (0xE2); save the spec as UTF-8"
            ),  // cut off
            (
                [0x5B, 0x31, 0x5D, 0x80],
                "error: t.json5:1:4: invalid UTF-8 at byte offset 3 (0x80); save the spec as UTF-8"
            ),
        ] as [([UInt8], String)])
    func invalidUTF8IsRefusedWithItsPlace(bytes: [UInt8], expected: String) {
        #expect(refusal(bytes) == expected)
    }

    /// 22,600 levels (a 45 KB file) overflowed the stack; the limit is 64, wherever the levels come from.
    @Test func deepNestingIsRefusedAtTheLimit() throws {
        let deep = String(repeating: "[", count: 22_600) + String(repeating: "]", count: 22_600)
        #expect(deep.utf8.count > 45_000)
        #expect(refusal(deep) == "error: t.json5:1:65: nesting deeper than 64 levels")
        #expect(refusal(String(repeating: "{a:", count: 100)) == "error: t.json5:1:193: nesting deeper than 64 levels")
        #expect(
            refusal("{ vms: [\n" + String(repeating: "[", count: 63))
                == "error: t.json5:2:63: nesting deeper than 64 levels")
        // 64 levels are a document (then not a lab).
        var parser = JSON5Parser(Array((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8))
        _ = try parser.document()
        #expect(
            refusal(String(repeating: "[", count: 64) + String(repeating: "]", count: 64))
                == "error: t.json5: expected an object, found an array\n1 error in the spec; nothing was created")
    }

    // MARK: 2. names the kernel or ip refuses

    @Test(arguments: [
        ("type", #""type" is a keyword of ip link, which would read it as that keyword instead of an interface name"#),
        ("dev", #""dev" is a keyword of ip link, which would read it as that keyword instead of an interface name"#),
        ("help", #""help" is a keyword of ip link, which would read it as that keyword instead of an interface name"#),
        ("up", #""up" is a keyword of ip link, which would read it as that keyword instead of an interface name"#),
        ("down", #""down" is a keyword of ip link, which would read it as that keyword instead of an interface name"#),
        (
            "master",
            #""master" is a keyword of ip link, which would read it as that keyword instead of an interface name"#
        ),
        (
            "nomaster",
            #""nomaster" is a keyword of ip link, which would read it as that keyword instead of an interface name"#
        ),
        ("name", #""name" is a keyword of ip link, which would read it as that keyword instead of an interface name"#),
        (
            "address",
            #""address" is a keyword of ip link, which would read it as that keyword instead of an interface name"#
        ),
        ("link", #""link" is a keyword of ip link, which would read it as that keyword instead of an interface name"#),
        (
            "netns",
            #""netns" is a keyword of ip link, which would read it as that keyword instead of an interface name"#
        ),
        (
            "br",
            #""br" abbreviates "broadcast", a keyword of ip link, which would read it as that keyword instead of an "#
                + #"interface name"#
        ),
        (
            "t",
            #""t" abbreviates "txqueuelen", a keyword of ip link, which would read it as that keyword instead of an "#
                + #"interface name"#
        ),
        (
            "n",
            #""n" abbreviates "nomaster", a keyword of ip link, which would read it as that keyword instead of an "#
                + #"interface name"#
        ),
        ("lo", #""lo" is the loopback interface, which every network namespace already has"#),
        (
            "all",
            #""all" is reserved by Linux (net.ipv4.conf.all holds settings, not an interface), which refuses it as "#
                + #"an interface name"#
        ),
        (
            "default",
            #""default" is reserved by Linux (net.ipv4.conf.default holds settings, not an interface), which "#
                + #"refuses it as an interface name"#
        ),
        ("enp0s3", #""enp0s3" is the name the guest gives the NIC in slot 1; a bridge needs a name no NIC has"#),
        ("enp0s8", #""enp0s8" is the name the guest gives the NIC in slot 2; a bridge needs a name no NIC has"#),
        ("enp0s9", #""enp0s9" is the name the guest gives the NIC in slot 3; a bridge needs a name no NIC has"#),
        ("enp0s10", #""enp0s10" is the name the guest gives the NIC in slot 4; a bridge needs a name no NIC has"#),
        ("enp0s16", #""enp0s16" is the name the guest gives the NIC in slot 5; a bridge needs a name no NIC has"#),
        ("enp0s19", #""enp0s19" is the name the guest gives the NIC in slot 8; a bridge needs a name no NIC has"#),
    ])
    func bridgeNameTheKernelOrIpRefuses(name: String, message: String) {
        #expect(refusal(lab(hostA, bridged(name))) == one("vms[1].bridges[0].name: \(message)"))
    }

    private static let pattern = "is not a Linux interface name: use [A-Za-z0-9][A-Za-z0-9._-]*, at most 15 characters"

    /// Not Linux interface names at all: empty, 16 bytes, "." and "..", '/', ':', white space, control characters.
    @Test(arguments: [
        ("", #""""#), ("abcdefghijklmnop", #""abcdefghijklmnop""#), (".", #"".""#), ("..", #""..""#),
        ("a/b", #""a/b""#),
        ("a:b", #""a:b""#), ("a b", #""a b""#), (#"a\tb"#, #""a\u{09}b""#), (#"a\u001Bb"#, #""a\u{1B}b""#),
        ("brü", #""brü""#),
    ])
    func bridgeNameThatIsNoInterfaceName(written: String, shown: String) {
        #expect(refusal(lab(hostA, bridged(written))) == one("vms[1].bridges[0].name: \(shown) \(Self.pattern)"))
    }

    @Test func nicInterfaceFollowsTheSameRule() {
        #expect(
            refusal(lab(withInterface("lo"), hostB))
                == one(
                    #"vms[0].nics[0].interface: "lo" is the loopback interface, "#
                        + #"which every network namespace already has"#))
        #expect(
            refusal(lab(withInterface("type"), hostB))
                == one(
                    #"vms[0].nics[0].interface: "type" is a keyword of ip link, "#
                        + #"which would read it as that keyword instead of an interface name"#))
        #expect(refusal(lab(withInterface("a:1"), hostB)) == one(#"vms[0].nics[0].interface: "a:1" \#(Self.pattern)"#))
        // A NIC may carry the name the guest gives its own slot, or any other free name.
        #expect(refusal(lab(withInterface("enp0s8"), hostB)) == nil)
        #expect(refusal(lab(withInterface("eth1"), hostB)) == nil)
    }

    @Test func twoNICsCannotShareAnInterfaceName() {
        let same =
            #"{ name: "h1", nics: [ { network: "n1", ip: "1.1.1.1/24", interface: "eth1" }, "#
            + #"{ network: "n2", interface: "eth1" } ] }"#
        #expect(
            refusal(lab(same, hostB)) == one(#"vms[0].nics[1].interface: "eth1" is already the interface of nics[0]"#))
        let slot =
            #"{ name: "h1", nics: [ { network: "n1", ip: "1.1.1.1/24", interface: "enp0s9" }, { network: "n2" } ] }"#
        #expect(
            refusal(lab(slot, hostB))
                == one(#"vms[0].nics[0].interface: "enp0s9" is the name the guest gives nics[1] (slot 3)"#))
    }

    @Test func vmNamedSwCollidesWithTheSwitchNamespace() {
        let sw = #"{ name: "sw", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#
        #expect(
            refusal(lab(sw, hostB))
                == one(
                    #"vms[0].name: "sw" is reserved: the netns provider's switch namespace is vbl-lab-sw, "#
                        + #"the namespace this VM would get"#))
        #expect(
            refusal(lab(sw, hostB, name: "Bad!")) == """
                error: t.json5: name: "Bad!" is not a lab name: use [a-z0-9][a-z0-9-]*, at most 32 characters
                error: t.json5: vms[0].name: "sw" is reserved: the netns provider's switch namespace is vbl-LAB-sw, \
                the namespace this VM would get
                2 errors in the spec; nothing was created
                """)
        #expect(refusal(lab(#"{ name: "SW", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#, hostB)) == nil)
    }

    // MARK: 3. addresses no endpoint can have

    @Test(arguments: [
        ("127.0.0.1/8", "is in 127.0.0.0/8, the loopback range, not an address on a network"),
        ("127.255.0.9/16", "is in 127.0.0.0/8, the loopback range, not an address on a network"),
        ("224.0.0.5/24", "is in 224.0.0.0/4, the multicast range, not a host address"),
        ("239.255.255.250/8", "is in 224.0.0.0/4, the multicast range, not a host address"),
        ("0.0.0.0/8", #"is in 0.0.0.0/8 ("this network"), not a host address"#),
        ("0.1.2.3/24", #"is in 0.0.0.0/8 ("this network"), not a host address"#),
        ("255.255.255.255/32", "is the limited broadcast address, not a host address"),
        ("255.255.255.255/24", "is the limited broadcast address, not a host address"),
        ("1.1.1.1/0", "has prefix /0, which puts every address in one subnet; use /1 to /32"),
        ("1.1.1.0/24", "is the network address of its subnet, not a host address"),
        ("1.1.1.255/24", "is the broadcast address of its subnet, not a host address"),
        ("10.0.0.4/30", "is the network address of its subnet, not a host address"),
        ("10.0.0.7/30", "is the broadcast address of its subnet, not a host address"),
    ])
    func endpointAddressIsRefused(ip: String, rule: String) {
        #expect(refusal(lab(withIP(ip), hostB)) == one(#"vms[0].nics[0].ip: "\#(ip)" \#(rule)"#))
        #expect(
            refusal(lab(hostA, bridged("br0", ip: #", ip: "\#(ip)""#)))
                == one(#"vms[1].bridges[0].ip: "\#(ip)" \#(rule)"#))
    }

    @Test(arguments: [
        "10.0.0.5/30", "10.0.0.6/30", "10.0.0.0/31", "10.0.0.1/31", "1.1.1.0/32", "128.0.0.1/1", "223.255.255.254/8",
        "240.0.0.1/24",
    ])
    func endpointAddressIsAccepted(ip: String) {
        #expect(refusal(lab(withIP(ip), hostB)) == nil)
    }

    // MARK: 4. control characters

    @Test func escapedForTerminal() {
        #expect(
            "a\u{1B}[31mb\u{0}c\u{7F}d\u{85}e\u{9F}\tf\ng\r".escapedForTerminal
                == #"a\u{1B}[31mb\u{00}c\u{7F}d\u{85}e\u{9F}\u{09}f"# + "\n" + #"g\u{0D}"#)
        #expect("plain, é, 😀, \u{A0}, \u{2028}".escapedForTerminal == "plain, é, 😀, \u{A0}, \u{2028}")
        let once = "\u{1B}]0;title\u{7}".escapedForTerminal
        #expect(once == #"\u{1B}]0;title\u{07}"# && once.escapedForTerminal == once)
        #expect("a\nb".escapedOnOneLine == #"a\u{0A}b"#)
        #expect(
            SpecDiagnostic(file: "x\u{1B}.json5", path: "k\u{7}", message: "m\u{9B}").description
                == #"x\u{1B}.json5: k\u{07}: m\u{9B}"#)
    }

    @Test func specValuesAreEscapedInMessages() {
        #expect(
            refusal(lab(hostA, name: #"x\u001B[2J"#))
                == one(#"name: "x\u{1B}[2J" is not a lab name: use [a-z0-9][a-z0-9-]*, at most 32 characters"#))
        #expect(
            refusal(lab(hostA, name: "a\u{1B}b"))
                == one(#"name: "a\u{1B}b" is not a lab name: use [a-z0-9][a-z0-9-]*, at most 32 characters"#))
        #expect(
            refusal(lab(hostA, name: #"a\nb\u0000"#))
                == one(#"name: "a\u{0A}b\u{00}" is not a lab name: use [a-z0-9][a-z0-9-]*, at most 32 characters"#))
        #expect(
            refusal(#"{ "k\u0007": 1, name: "lab", vms: [\#(hostA)] }"#)
                == one(#"k\u{07}: unknown key "k\u{07}" (valid keys: name, prefix, strategy, base, ssh, vms)"#))
        #expect(
            refusal(
                lab(
                    hostA,
                    #"{ name: "b", nics: [ { network: "n1" } ], bridges: [ { name: "br0", ports: ["n\u009B"] } ] }"#))
                == one(#"vms[1].bridges[0].ports[0]: "n\u{9B}" is not a network of b's NICs (it has n1)"#))
        #expect(
            refusal(lab(#"{ name: "h1", memory: "\u007F", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#))
                == one(#"vms[0].memory: "\u{7F}" is not a whole number from 4 to 2097152"#))
        #expect(
            refusal(lab(#"{ name: "h1", nics: [ { network: "n1", ip: "1.1.1.1/24", mac: "\u001B" } ] }"#))
                == one(#"vms[0].nics[0].mac: "\u{1B}" is not a MAC address (like 080027AABBCC or 08:00:27:aa:bb:cc)"#))
    }

    @Test func syntaxErrorsEscapeWhatTheyQuote() {
        #expect(refusal("{ a: \u{1B} }") == #"error: t.json5:1:6: expected a value, found '\u{1B}'"#)
        #expect(refusal("{ \u{7F}: 1 }") == #"error: t.json5:1:3: expected a key or '}', found '\u{7F}'"#)
        #expect(refusal("{ a: 1 }\u{85}") == #"error: t.json5:1:9: unexpected '\u{85}' after the end of the document"#)
        #expect(refusal(#"{ "a\u001B": 1, 'a\x1B': 2 }"#) == #"error: t.json5:1:17: duplicate key "a\u{1B}""#)
        #expect(refusal("{ a: x\u{0}y }") == #"error: t.json5:1:6: expected a value, found 'x' (strings need quotes)"#)
    }
}
