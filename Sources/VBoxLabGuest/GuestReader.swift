import Foundation
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// A guest's side of its lab NICs and bridges, read through its transport with one
/// `ip -j -d addr show`: each NIC found as the guest script finds it, by MAC (the guest MAC
/// of the plan, the registered one, the NIC's own) or by the interface name the spec fixes.
public struct GuestReader: Sendable {
    public struct Seen: Sendable, Equatable {
        public var nics: [Int: (interface: String, mac: MACAddress?, up: Bool, addresses: [IPv4CIDR], bridge: String?)]
        public var bridges: [BridgeState]
        public static func == (a: Seen, b: Seen) -> Bool {
            a.bridges == b.bridges && a.nics.keys.sorted() == b.nics.keys.sorted()
                && a.nics.allSatisfy { k, v in
                    let w = b.nics[k]!
                    return v.interface == w.interface && v.mac == w.mac && v.up == w.up && v.addresses == w.addresses
                        && v.bridge == w.bridge
                }
        }
    }

    public static func read(through transport: GuestTransport, nics: [PlannedNIC]) throws(VBoxLabError) -> Seen {
        let r = try transport.run(["ip", "-j", "-d", "addr", "show"], input: nil)
        let command = transport.command(["ip", "-j", "-d", "addr", "show"], input: nil).description
        guard r.succeeded else { throw .commandFailed(command: command, status: r.status, stderr: r.stderr) }
        // Every Linux guest has a loopback: an answer without one is a guest going down or a
        // cut-off answer, not a guest without its NICs (that would misname the cause).
        guard IPJSON.array(r.stdout).contains(where: { $0["ifname"] as? String == "lo" }) else {
            let first = r.stdout.split(separator: "\n").first.map { String($0.prefix(80)) } ?? ""
            throw .commandFailed(
                command: command, status: r.status,
                stderr: "its answer (\(r.stdout.utf8.count) bytes) is no list of links: \(first.escapedOnOneLine)")
        }
        let seen = parse(r.stdout, nics: nics)
        // A NIC the guest does not show at all, not even by its hardware MAC: a guest that is
        // booting or shutting down shows that too, and then it is not a guest without its setup.
        if seen.nics.count < nics.count, let going = passing(through: transport) {
            throw .commandFailed(command: command, status: r.status, stderr: going)
        }
        return seen
    }

    /// Why the guest cannot be read as it is: systemd says it is between states, or it no
    /// longer answers (a guest going down answers, then stops).
    static func passing(through transport: GuestTransport) -> String? {
        let answer: CommandResult
        do {
            answer = try transport.run(["systemctl", "is-system-running"], input: nil)
        } catch {
            return stoppedAnswering(error.message)
        }
        // systemctl exits non-zero for every state but "running", so the word decides; no word
        // at all is ssh's failure or a timeout (a guest cut off mid-answer), never "set up".
        let state = answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        switch state {
        case "initializing", "starting": return "the guest is still booting (systemd: \(state))"
        case "stopping", "offline": return "the guest is shutting down (systemd: \(state))"
        case "": return stoppedAnswering(answer.stderr)
        default: return nil
        }
    }

    private static func stoppedAnswering(_ words: String) -> String {
        let first = words.split(separator: "\n").last { !$0.isEmpty }.map { String($0.prefix(200)) } ?? ""
        return "the guest stopped answering while it was read" + (first.isEmpty ? "" : ": \(first.escapedOnOneLine)")
    }

    public static func parse(_ json: String, nics planned: [PlannedNIC]) -> Seen {
        let links = IPJSON.array(json)
        var seen = Seen(nics: [:], bridges: [])
        for nic in planned {
            let wanted = [nic.guestMac, nic.mac, nic.ownMac]
            let link =
                nic.interface.flatMap { name in links.first { $0["ifname"] as? String == name } }
                ?? wanted.lazy.compactMap { mac in
                    links.first {
                        IPJSON.kind($0) != "bridge" && ($0["address"] as? String).flatMap(MACAddress.init) == mac
                    }
                }.first
            // The guest names its interfaces: a name is shown in reports, so it is escaped here.
            guard let link, let name = (link["ifname"] as? String)?.escapedOnOneLine else { continue }
            seen.nics[nic.slot] = (
                name, (link["address"] as? String).flatMap(MACAddress.init), IPJSON.isUp(link), IPJSON.addresses(link),
                (link["master"] as? String)?.escapedOnOneLine
            )
        }
        seen.bridges = links.filter { IPJSON.kind($0) == "bridge" }.map { l in
            BridgeState(
                name: (l["ifname"] as? String ?? "").escapedOnOneLine,
                mac: (l["address"] as? String).flatMap(MACAddress.init) ?? MACAddress(0),
                up: IPJSON.isUp(l), addresses: IPJSON.addresses(l))
        }
        return seen
    }
}
