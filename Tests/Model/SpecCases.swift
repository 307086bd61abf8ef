import Foundation
import Testing

@testable import VBoxLabModel

// Specs and the exact diagnostics each must produce: the model's validation tests read them,
// and the schema test holds the JSON Schema to the same verdicts. Linked into both targets.

/// One spec and the exact diagnostics it must produce, in order (empty: the spec is valid).
struct SpecCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var expected: [String]
    var testDescription: String { name }
}

// Building blocks: two hosts on n1 and n2, and a VM bridging n1 and n2.
let h1 = #"{ name: "h1", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#
let h2 = #"{ name: "h2", nics: [ { network: "n2", ip: "1.1.1.2/24" } ] }"#
let br =
    #"{ name: "b", nics: [ { network: "n1" }, { network: "n2" } ], bridges: [ { name: "br0", ports: ["n1", "n2"] } ] }"#

func caseLab(_ vms: String..., top: String = "") -> String {
    "{ name: \"lab\", \(top)vms: [\n  \(vms.joined(separator: ",\n  ")),\n] }"
}

func caseHost(_ name: String, _ network: String, _ extra: String) -> String {
    "{ name: \"\(name)\", nics: [ { network: \"\(network)\", \(extra) } ] }"
}

let loopVMs = [
    h1,
    #"{ name: "b1", nics: [ { network: "n1" }, { network: "n2" } ], bridges: [ { name: "br0", ports: ["n1", "n2"] } "#
        + #"] }"#,
    #"{ name: "b2", nics: [ { network: "n1" }, { network: "n2" } ], bridges: [ { name: "br0", ports: ["n1", "#
        + #""n2"]STP } ] }"#,
]

func loopLab(stp: String) -> String {
    "{ name: \"lab\", vms: [\(loopVMs.joined(separator: ",\n")) ] }".replacingOccurrences(of: "STP", with: stp)
}

let specCases: [SpecCase] = [
    SpecCase(name: "seed lab is valid", text: caseLab(h1, br, h2), expected: []),
    SpecCase(
        name: "plain JSON is valid",
        text: #"{"name": "lab", "vms": [{"name": "h1", "nics": [{"network": "n1", "ip": "1.1.1.1/24"}]}]}"#,
        expected: []),

    // Unknown keys.
    SpecCase(
        name: "unknown key ipp suggests ip",
        text: caseLab(caseHost("h1", "n1", #"ipp: "1.1.1.1/24""#), h2),
        expected: [
            #"t.json5: vms[0].nics[0].ipp: unknown key "ipp"; did you mean "ip"? (valid keys: network, ip, mac, "#
                + #"interface)"#
        ]),
    SpecCase(
        name: "unknown top-level key without a near match",
        text: caseLab(h1, top: #"colour: "red", "#),
        expected: [#"t.json5: colour: unknown key "colour" (valid keys: name, prefix, strategy, base, ssh, vms)"#]),
    SpecCase(
        name: "unknown bridge key stpp suggests stp",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1" } ], bridges: [ { name: "br0", ports: ["n1"], stpp: true } ] "#
                + #"}"#),
        expected: [
            #"t.json5: vms[1].bridges[0].stpp: unknown key "stpp"; did you mean "stp"? (valid keys: name, ports, "#
                + #"ip, stp)"#
        ]),

    // Name patterns.
    SpecCase(
        name: "lab name with capitals and underscore", text: #"{ name: "Bad_Lab", vms: [\#(h1)] }"#,
        expected: [#"t.json5: name: "Bad_Lab" is not a lab name: use [a-z0-9][a-z0-9-]*, at most 32 characters"#]),
    SpecCase(
        name: "lab name starting with a dash", text: #"{ name: "-lab", vms: [\#(h1)] }"#,
        expected: [#"t.json5: name: "-lab" is not a lab name: use [a-z0-9][a-z0-9-]*, at most 32 characters"#]),
    SpecCase(
        name: "lab name of 33 characters", text: "{ name: \"\(String(repeating: "a", count: 33))\", vms: [\(h1)] }",
        expected: [
            "t.json5: name: \"\(String(repeating: "a", count: 33))\" is not a lab name: use [a-z0-9][a-z0-9-]*, at "
                + "most 32 characters"
        ]),
    SpecCase(
        name: "lab name of 32 characters is valid",
        text: "{ name: \"\(String(repeating: "a", count: 31))9\", vms: [\(h1)] }",
        expected: []),
    SpecCase(
        name: "empty lab name", text: #"{ name: "", vms: [\#(h1)] }"#,
        expected: [#"t.json5: name: "" is not a lab name: use [a-z0-9][a-z0-9-]*, at most 32 characters"#]),
    SpecCase(
        name: "VM name starting with a dash",
        text: caseLab(#"{ name: "-h1", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#),
        expected: [
            #"t.json5: vms[0].name: "-h1" is not a VM name: use [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters"#
        ]),
    SpecCase(
        name: "VM name with a space",
        text: caseLab(#"{ name: "h 1", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#),
        expected: [
            #"t.json5: vms[0].name: "h 1" is not a VM name: use [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters"#
        ]),
    SpecCase(
        name: "VM name with dots, dashes, underscores and capitals is valid",
        text: caseLab(#"{ name: "Centos_8.x-1", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#), expected: []),
    SpecCase(
        name: "duplicate VM names",
        text: caseLab(h1, #"{ name: "h1", nics: [ { network: "n2", ip: "1.1.1.2/24" } ] }"#),
        expected: [#"t.json5: vms[1].name: "h1" is already the name of vms[0]"#]),
    SpecCase(
        name: "interface name longer than 15 bytes",
        text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.1/24", interface: "enp0s8-too-long!""#)),
        expected: [
            #"t.json5: vms[0].nics[0].interface: "enp0s8-too-long!" is not a Linux interface name: use "#
                + #"[A-Za-z0-9][A-Za-z0-9._-]*, at most 15 characters"#
        ]),
    SpecCase(
        name: "bridge named like one of the VM's interfaces",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1", interface: "br0" }, { network: "n2" } ], bridges: [ { name: "#
                + #""br0", ports: ["n1", "n2"] } ] }"#,
            h2),
        expected: [#"t.json5: vms[1].bridges[0].name: "br0" is also the interface name of one of b's NICs"#]),

    // NIC count.
    SpecCase(
        name: "eight lab NICs",
        text: caseLab(
            "{ name: \"h1\", nics: [ { network: \"n1\", ip: \"1.1.1.1/24\" }, "
                + (2...8).map { "{ network: \"n\($0)\" }" }.joined(separator: ", ") + " ] }"),
        expected: ["t.json5: vms[0].nics: 8 lab NICs, but a VM has only slots 2..8 (at most 7 lab NICs)"]),
    SpecCase(
        name: "seven lab NICs are valid",
        text: caseLab(
            "{ name: \"h1\", nics: [ { network: \"n1\", ip: \"1.1.1.1/24\" }, "
                + (2...7).map { "{ network: \"n\($0)\" }" }.joined(separator: ", ") + " ] }"),
        expected: []),

    // Addresses.
    SpecCase(
        name: "octet 300", text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.300/24""#), h2),
        expected: [#"t.json5: vms[0].nics[0].ip: "1.1.1.300/24" is not an IPv4 address with prefix (like 1.1.1.10/24)"#]
    ),
    SpecCase(
        name: "address without prefix", text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.1""#), h2),
        expected: [#"t.json5: vms[0].nics[0].ip: "1.1.1.1" is not an IPv4 address with prefix (like 1.1.1.10/24)"#]),
    SpecCase(
        name: "network address", text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.0/24""#), h2),
        expected: [
            #"t.json5: vms[0].nics[0].ip: "1.1.1.0/24" is the network address of its subnet, not a host address"#
        ]),
    SpecCase(
        name: "broadcast address", text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.255/24""#), h2),
        expected: [
            #"t.json5: vms[0].nics[0].ip: "1.1.1.255/24" is the broadcast address of its subnet, not a host address"#
        ]),
    SpecCase(
        name: "bridge with the broadcast address of a /8",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1" } ], bridges: [ { name: "br0", ports: ["n1"], ip: "#
                + #""10.255.255.255/8" } ] }"#
        ),
        expected: [
            #"t.json5: vms[1].bridges[0].ip: "10.255.255.255/8" is the broadcast address of its subnet, not a host "#
                + #"address"#
        ]),
    SpecCase(
        name: "both ends of a /31 are host addresses",
        text: caseLab(caseHost("h1", "n1", #"ip: "10.0.0.0/31""#), caseHost("h2", "n1", #"ip: "10.0.0.1/31""#)),
        expected: []),
    SpecCase(
        name: "address used twice, prefixes aside",
        text: caseLab(h1, caseHost("h2", "n2", #"ip: "1.1.1.1/16""#)),
        expected: ["t.json5: vms[1].nics[0].ip: 1.1.1.1 is already the address of vms[0].nics[0]"]),
    SpecCase(
        name: "bridge address used again by a host",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1" }, { network: "n2" } ], bridges: [ { name: "br0", ports: ["n1", "#
                + #""n2"], ip: "1.1.1.2/24" } ] }"#,
            h2),
        expected: ["t.json5: vms[2].nics[0].ip: 1.1.1.2 is already the address of vms[1].bridges[0]"]),

    // MACs.
    SpecCase(
        name: "MAC with five octets", text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.1/24", mac: "08:00:27:aa:bb""#)),
        expected: [
            #"t.json5: vms[0].nics[0].mac: "08:00:27:aa:bb" is not a MAC address (like 080027AABBCC or "#
                + #"08:00:27:aa:bb:cc)"#
        ]),
    SpecCase(
        name: "MAC with a non-hex digit",
        text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.1/24", mac: "08002700000G""#)),
        expected: [
            #"t.json5: vms[0].nics[0].mac: "08002700000G" is not a MAC address (like 080027AABBCC or "#
                + #"08:00:27:aa:bb:cc)"#
        ]),
    SpecCase(
        name: "multicast MAC", text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.1/24", mac: "01:00:5e:00:00:01""#)),
        expected: [
            #"t.json5: vms[0].nics[0].mac: "01:00:5e:00:00:01" is a multicast MAC (bit 0 of the first octet is "#
                + #"set); a NIC needs a unicast MAC"#
        ]),
    SpecCase(
        name: "broadcast MAC", text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.1/24", mac: "FFFFFFFFFFFF""#)),
        expected: [
            #"t.json5: vms[0].nics[0].mac: "FFFFFFFFFFFF" is a multicast MAC (bit 0 of the first octet is set); a "#
                + #"NIC needs a unicast MAC"#
        ]),
    SpecCase(
        name: "all-zero MAC", text: caseLab(caseHost("h1", "n1", #"ip: "1.1.1.1/24", mac: "00:00:00:00:00:00""#)),
        expected: [#"t.json5: vms[0].nics[0].mac: "00:00:00:00:00:00" is all zeros; a NIC needs a real MAC"#]),
    SpecCase(
        name: "one MAC in two forms on two NICs",
        text: caseLab(
            caseHost("h1", "n1", #"ip: "1.1.1.1/24", mac: "080027AABBCC""#),
            caseHost("h2", "n1", #"ip: "1.1.1.2/24", mac: "08-00-27-aa-bb-cc""#)),
        expected: ["t.json5: vms[1].nics[0].mac: 08:00:27:aa:bb:cc is already the MAC of vms[0].nics[0]"]),

    // Bridges.
    SpecCase(
        name: "port on a network the VM has no NIC on",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1" }, { network: "n2" } ], bridges: [ { name: "br0", ports: ["n1", "#
                + #""n3"] } ] }"#,
            h2),
        expected: [#"t.json5: vms[1].bridges[0].ports[1]: "n3" is not a network of b's NICs (it has n1, n2)"#]),
    SpecCase(
        name: "port on a VM without NICs",
        text: caseLab(h1, #"{ name: "b", bridges: [ { name: "br0", ports: ["n1"] } ] }"#),
        expected: [#"t.json5: vms[1].bridges[0].ports[0]: "n1" is not a network of b's NICs (it has none)"#]),
    SpecCase(
        name: "one NIC in two bridges",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1" }, { network: "n2" } ], bridges: [ { name: "br0", ports: ["n1", "#
                + #""n2"] }, { name: "br1", ports: ["n2"] } ] }"#,
            h2),
        expected: [#"t.json5: vms[1].bridges[1].ports[0]: the NIC on "n2" is already a port of bridge br0"#]),
    SpecCase(
        name: "two NICs on the port's network",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1" }, { network: "n1" }, { network: "n2" } ], bridges: [ { name: "#
                + #""br0", ports: ["n1", "n2"] } ] }"#,
            h2),
        expected: [
            #"t.json5: vms[1].bridges[0].ports[0]: b has 2 NICs on "n1" (nics[0], nics[1]), so the port is ambiguous"#
        ]),
    SpecCase(
        name: "port NIC with an address",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1", ip: "1.1.1.3/24" }, { network: "n2" } ], bridges: [ { name: "#
                + #""br0", ports: ["n1", "n2"] } ] }"#,
            h2),
        expected: [
            #"t.json5: vms[1].nics[0].ip: the NIC on "n1" is a port of bridge br0, so it cannot have an address; "#
                + #"give the bridge the address (vms[1].bridges[0].ip)"#
        ]),
    SpecCase(
        name: "two bridges with one name",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1" }, { network: "n2" } ], bridges: [ { name: "br0", ports: ["n1"] "#
                + #"}, { name: "br0", ports: ["n2"] } ] }"#,
            h2),
        expected: [#"t.json5: vms[1].bridges[1].name: "br0" is already the name of bridges[0]"#]),
    SpecCase(
        name: "bridge with no ports",
        text: caseLab(h1, #"{ name: "b", nics: [ { network: "n1" } ], bridges: [ { name: "br0", ports: [] } ] }"#),
        expected: ["t.json5: vms[1].bridges[0].ports: a bridge needs at least one port"]),
    SpecCase(
        name: "loop without stp", text: loopLab(stp: ""),
        expected: [
            "t.json5: vms[2].bridges[0]: the lab has a loop: n2 → b1/br0 → n1 → b2/br0 → n2; set stp: true on one of "
                + "its bridges, or break the loop"
        ]),
    SpecCase(
        name: "the loop is walked in port order",
        text: loopLab(stp: "").replacingOccurrences(
            of: #"ports: ["n1", "n2"] } ] } ]"#, with: #"ports: ["n2", "n1"] } ] } ]"#),
        expected: [
            "t.json5: vms[2].bridges[0]: the lab has a loop: n1 → b1/br0 → n2 → b2/br0 → n1; set stp: true on one of "
                + "its bridges, or break the loop"
        ]),
    SpecCase(name: "the same loop with stp on the closing bridge", text: loopLab(stp: ", stp: true"), expected: []),
    SpecCase(
        name: "a lab whose only endpoint is a bridge address",
        text: caseLab(
            #"{ name: "b", nics: [ { network: "n1" }, { network: "n2" } ], bridges: [ { name: "br0", ports: ["n1", "#
                + #""n2"], ip: "1.1.1.9/24" } ] }"#
        ),
        expected: []),

    // Endpoints.
    SpecCase(
        name: "no endpoint", text: caseLab(#"{ name: "h1", nics: [ { network: "n1" } ] }"#, br),
        expected: ["t.json5: vms: the lab has no endpoint: give at least one NIC or bridge an ip"]),

    // Wrong types.
    SpecCase(
        name: "lab name as a number", text: #"{ name: 5, vms: [\#(h1)] }"#,
        expected: ["t.json5: name: expected a string, found 5"]),
    SpecCase(
        name: "memory as a string",
        text: caseLab(#"{ name: "h1", memory: "lots", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#),
        expected: [#"t.json5: vms[0].memory: "lots" is not a whole number from 4 to 2097152"#]),
    SpecCase(
        name: "fractional cpus",
        text: caseLab(#"{ name: "h1", cpus: 1.5, nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#),
        expected: ["t.json5: vms[0].cpus: 1.5 is not a whole number from 1 to 64"]),
    SpecCase(
        name: "cpus out of range",
        text: caseLab(#"{ name: "h1", cpus: 65, nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#),
        expected: ["t.json5: vms[0].cpus: 65 is not a whole number from 1 to 64"]),
    SpecCase(
        name: "nics as an object", text: caseLab(#"{ name: "h1", nics: {} }"#, h2),
        expected: ["t.json5: vms[0].nics: expected an array, found an object"]),
    SpecCase(
        name: "ip as a number", text: caseLab(caseHost("h1", "n1", "ip: 12"), h2),
        expected: ["t.json5: vms[0].nics[0].ip: expected a string, found 12"]),
    SpecCase(
        name: "stp as a string",
        text: caseLab(
            h1,
            #"{ name: "b", nics: [ { network: "n1" } ], bridges: [ { name: "br0", ports: ["n1"], stp: "yes" } ] "#
                + #"}"#),
        expected: [#"t.json5: vms[1].bridges[0].stp: expected true or false, found "yes""#]),
    SpecCase(
        name: "a port as a number",
        text: caseLab(
            h1, #"{ name: "b", nics: [ { network: "n1" } ], bridges: [ { name: "br0", ports: ["n1", 2] } ] }"#),
        expected: ["t.json5: vms[1].bridges[0].ports[1]: expected a network name, found 2"]),
    SpecCase(
        name: "vms as a string", text: #"{ name: "lab", vms: "all" }"#,
        expected: [#"t.json5: vms: expected an array, found "all""#]),
    SpecCase(
        name: "a VM as a string", text: caseLab(h1, #""b""#),
        expected: [#"t.json5: vms[1]: expected an object, found "b""#]),
    SpecCase(
        name: "the document as an array", text: "[]",
        expected: ["t.json5: expected an object, found an array"]),
    SpecCase(
        name: "ssh port out of range", text: caseLab(h1, top: #"ssh: { user: "root", port: 70000 }, "#),
        expected: ["t.json5: ssh.port: 70000 is not a whole number from 1 to 65535"]),
    SpecCase(
        name: "two management kinds",
        text: caseLab(
            #"{ name: "h1", management: { nat: {}, hostonly: "vboxnet0" }, nics: [ { network: "n1", ip: "#
                + #""1.1.1.1/24" } ] }"#
        ),
        expected: ["t.json5: vms[0].management: give exactly one of nat, bridged, hostonly"]),
    SpecCase(
        name: "base with import and clone", text: caseLab(h1, top: #"base: { import: "c.ova", clone: "centos8" }, "#),
        expected: ["t.json5: base: give either import or clone (with snapshot and linked), not both"]),

    // Missing fields.
    SpecCase(
        name: "no lab name", text: #"{ vms: [\#(h1)] }"#,
        expected: ["t.json5: name: missing: every lab needs a name"]),
    SpecCase(
        name: "no vms", text: #"{ name: "lab" }"#,
        expected: ["t.json5: vms: missing: a lab needs at least one VM"]),
    SpecCase(
        name: "empty vms", text: #"{ name: "lab", vms: [] }"#,
        expected: ["t.json5: vms: the lab has no VMs"]),
    SpecCase(
        name: "VM without a name", text: caseLab(#"{ nics: [ { network: "n1", ip: "1.1.1.1/24" } ] }"#),
        expected: ["t.json5: vms[0].name: missing: every VM needs a name"]),
    SpecCase(
        name: "NIC without a network", text: caseLab(#"{ name: "h1", nics: [ { ip: "1.1.1.1/24" } ] }"#),
        expected: ["t.json5: vms[0].nics[0].network: missing: every NIC needs the internal network it is attached to"]),
    SpecCase(
        name: "bridge without name or ports",
        text: caseLab(h1, #"{ name: "b", nics: [ { network: "n1" } ], bridges: [ { } ] }"#),
        expected: [
            "t.json5: vms[1].bridges[0].name: missing: every bridge needs a device name, like br0",
            "t.json5: vms[1].bridges[0].ports: missing: the networks whose NICs the bridge joins",
        ]),
    SpecCase(
        name: "base without clone or import", text: caseLab(h1, top: #"base: { snapshot: "s" }, "#),
        expected: [
            #"t.json5: base.clone: missing: give clone: "VM", import: "FILE.ova", box: "NAME" or image: "FILE.qcow2""#
        ]),

    // Strategy.
    SpecCase(
        name: "strategy mac_swap suggests mac-swap", text: caseLab(h1, top: #"strategy: "mac_swap", "#),
        expected: [
            #"t.json5: strategy: "mac_swap" is not a strategy (valid: auto, mac-swap, promisc, none); did you mean "#
                + #""mac-swap"?"#
        ]),
    SpecCase(
        name: "strategy promisk suggests promisc", text: caseLab(h1, top: #"strategy: "promisk", "#),
        expected: [
            #"t.json5: strategy: "promisk" is not a strategy (valid: auto, mac-swap, promisc, none); did you mean "#
                + #""promisc"?"#
        ]),
    SpecCase(
        name: "strategy far from any", text: caseLab(h1, top: #"strategy: "bogus", "#),
        expected: [#"t.json5: strategy: "bogus" is not a strategy (valid: auto, mac-swap, promisc, none)"#]),
    SpecCase(name: "every strategy name is valid", text: caseLab(h1, top: #"strategy: "mac-swap", "#), expected: []),

    // Several at once: reader order (unknown keys, name, strategy, vms in order), then cross-field checks.
    SpecCase(
        name: "several errors in one run",
        text: """
            { name: "Lab!", strategy: "fast", colour: 1, vms: [
              { name: "a", nics: [ { network: "n1", ip: "1.1.1.1/24" } ] },
              { name: "a", nics: [ { network: "n1", ip: "1.1.1.1/24", mac: "01:00:00:00:00:01" } ] },
              { name: "b", nics: [ { network: "n1" } ], bridges: [ { name: "br0", ports: ["n9"] } ] },
            ] }
            """,
        expected: [
            #"t.json5: colour: unknown key "colour" (valid keys: name, prefix, strategy, base, ssh, vms)"#,
            #"t.json5: name: "Lab!" is not a lab name: use [a-z0-9][a-z0-9-]*, at most 32 characters"#,
            #"t.json5: strategy: "fast" is not a strategy (valid: auto, mac-swap, promisc, none)"#,
            #"t.json5: vms[1].nics[0].mac: "01:00:00:00:00:01" is a multicast MAC (bit 0 of the first octet is "#
                + #"set); a NIC needs a unicast MAC"#,
            #"t.json5: vms[1].name: "a" is already the name of vms[0]"#,
            "t.json5: vms[1].nics[0].ip: 1.1.1.1 is already the address of vms[0].nics[0]",
            #"t.json5: vms[2].bridges[0].ports[0]: "n9" is not a network of b's NICs (it has n1)"#,
        ]),
]
