import Foundation
import VBoxLabHost
import VBoxLabModel

/// VMs as VBoxManage prints them, parsed. `list -l vms` (the human `showvminfo` of every VM
/// in one call) is the one read that shows the promiscuous policy, and it gives every VM on
/// the host at once: the lab's, and the foreign ones whose names or internal networks matter.
public struct VBoxVM: Sendable, Equatable {
    public var name: String
    public var uuid: String
    public var groups: [String]
    /// VirtualBox's short state name: `poweroff`, `running`, `saved`, `aborted`, `paused`...
    public var state: String
    public var memory: Int?
    public var cpus: Int?
    public var nics: [Int: VBoxNIC]
    public var natRules: [VBoxNATRule]

    public var running: Bool { state == "running" || state == "paused" }
}

public struct VBoxNIC: Sendable, Equatable {
    public enum Attachment: Sendable, Equatable {
        case nat, intnet(String), bridged(String), hostonly(String), natNetwork(String), other(String)
    }
    public var slot: Int
    public var attachment: Attachment
    public var mac: MACAddress?
    public var cable: Bool
    public var promisc: PromiscPolicy
    public var network: String? {
        if case .intnet(let n) = attachment { return n }
        return nil
    }
}

public struct VBoxNATRule: Sendable, Equatable {
    public var slot: Int
    public var name: String
    public var hostIP: String
    public var hostPort: Int
    public var guestPort: Int
}

public enum VBoxParse {
    /// `7.2.22_Debianr175245` → [7, 2, 22].
    public static func version(_ text: String) -> [Int]? {
        let head =
            text.trimmingCharacters(in: .whitespacesAndNewlines).split(whereSeparator: { $0 == "_" || $0 == "r" }).first
            ?? ""
        let parts = head.split(separator: ".").compactMap { Int($0) }
        return parts.count >= 2 ? parts : nil
    }

    /// `list vms`: `"NAME" {UUID}` a line. A name may hold quotes, printed unescaped, so the
    /// UUID is the last `{…}` and the name what lies between the first and the last quote.
    public static func vmList(_ text: String) -> [(name: String, uuid: String)] {
        text.split(separator: "\n").compactMap { line in
            guard let open = line.lastIndex(of: "{"), let close = line.lastIndex(of: "}"), open < close,
                let q1 = line.firstIndex(of: "\""), let q2 = line[..<open].lastIndex(of: "\""), q1 < q2
            else { return nil }
            return (String(line[line.index(after: q1)..<q2]), String(line[line.index(after: open)..<close]))
        }
    }

    /// `showvminfo --machinereadable`: `key="value"` or `key=value` a line.
    public static func machineReadable(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var key = String(line[..<eq])
            var value = String(line[line.index(after: eq)...])
            if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            out[key] = value
        }
        return out
    }

    /// `list -l vms` or a human `showvminfo`: one VM per block, each opened by a `Name:` line
    /// at the start of a line that a `UUID:` line follows before the next block.
    public static func inventory(_ text: String) -> [VBoxVM] {
        var vms: [VBoxVM] = []
        var current: VBoxVM?
        func finish() {
            if let c = current, !c.uuid.isEmpty { vms.append(c) }
            current = nil
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix(" "), !line.hasPrefix("\t") else { continue }
            let key = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if key == "Name", current == nil || !(current!.uuid.isEmpty) {
                // A new VM, unless this is a shared folder's "Name: 'x', Host path: ..." line.
                if value.hasPrefix("'") && value.contains("Host path") { continue }
                finish()
                current = VBoxVM(
                    name: value, uuid: "", groups: [], state: "", memory: nil, cpus: nil, nics: [:], natRules: [])
                continue
            }
            guard current != nil else { continue }
            switch key {
            case "UUID": if current!.uuid.isEmpty { current!.uuid = value }
            case "Groups": current!.groups = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case "Memory size": current!.memory = Int(value.replacingOccurrences(of: "MB", with: ""))
            case "Number of CPUs": current!.cpus = Int(value)
            case "State": current!.state = shortState(value)
            default:
                if key.hasPrefix("NIC "), let slot = Int(key.dropFirst(4)), let nic = nicLine(slot: slot, value) {
                    current!.nics[slot] = nic
                } else if key.hasPrefix("NIC "), key.contains(" Rule("),
                    let slot = Int(key.dropFirst(4).prefix { $0.isNumber }),
                    let rule = natRule(slot: slot, value)
                {
                    current!.natRules.append(rule)
                }
            }
        }
        finish()
        return vms
    }

    /// `powered off (since …)` → `poweroff`; `running (since …)` → `running`.
    static func shortState(_ text: String) -> String {
        let words = text.split(separator: "(").first?.trimmingCharacters(in: .whitespaces) ?? text
        switch words {
        case "powered off": return "poweroff"
        case "saved", "running", "paused", "aborted", "starting", "stopping", "saving", "restoring": return words
        default: return words.lowercased().replacingOccurrences(of: " ", with: "-")
        }
    }

    /// `MAC: 080027AABBCC, Attachment: Internal Network 'intnet-1', Cable connected: on, …,
    /// Promisc Policy: allow-vms, …`
    static func nicLine(slot: Int, _ text: String) -> VBoxNIC? {
        guard text.hasPrefix("MAC:") else { return nil }  // "disabled"
        func field(_ name: String) -> String? {
            guard let r = text.range(of: name + ": ") else { return nil }
            let rest = text[r.upperBound...]
            return String(rest.prefix { $0 != "," })
        }
        let attachment: VBoxNIC.Attachment
        if let r = text.range(of: "Attachment: Internal Network '"),
            let end = text.range(of: "', Cable connected:", options: .backwards)
        {
            attachment = .intnet(String(text[r.upperBound..<end.lowerBound]))
        } else if let a = field("Attachment") {
            func quoted(_ prefix: String) -> String? {
                guard a.hasPrefix(prefix) else { return nil }
                return String(a.dropFirst(prefix.count)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            }
            if a == "NAT" {
                attachment = .nat
            } else if let n = quoted("Bridged Interface ") {
                attachment = .bridged(n)
            } else if let n = quoted("Host-only Interface ") {
                attachment = .hostonly(n)
            } else if let n = quoted("NAT Network ") {
                attachment = .natNetwork(n)
            } else {
                attachment = .other(a)
            }
        } else {
            attachment = .other("")
        }
        return VBoxNIC(
            slot: slot, attachment: attachment, mac: field("MAC").flatMap(MACAddress.init),
            cable: field("Cable connected") == "on",
            promisc: field("Promisc Policy").flatMap(PromiscPolicy.init) ?? .deny)
    }

    /// `name = ssh, protocol = tcp, host ip = 127.0.0.1, host port = 2222, guest ip = , guest port = 22`
    static func natRule(slot: Int, _ text: String) -> VBoxNATRule? {
        var f: [String: String] = [:]
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2 { f[kv[0]] = kv[1] } else if kv.count == 1 { f[kv[0]] = "" }
        }
        guard let name = f["name"], let hostPort = f["host port"].flatMap(Int.init),
            let guestPort = f["guest port"].flatMap(Int.init)
        else { return nil }
        return VBoxNATRule(slot: slot, name: name, hostIP: f["host ip"] ?? "", hostPort: hostPort, guestPort: guestPort)
    }
}
