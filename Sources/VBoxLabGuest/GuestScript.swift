import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// The guest setup of one VM as a POSIX `sh` script: find each NIC by its MAC (never
/// by a name the guest may have chosen), create the bridges, enslave the ports, set
/// the port MACs and addresses, bring the links up, and print one line per change.
/// Every step first looks (in /sys, without a process), so a second run changes nothing
/// and says so. All changes go to one `ip -batch -` at the end: one process, not one per step.
/// The same text runs through every transport (`sh -s` in the guest).
public struct GuestScript: Sendable {
    public let vm: String
    public let text: String

    /// `interfaces` names NICs the caller already knows (slot → name); others are found by MAC.
    /// `addresses`, the guest's IPv4 addresses (`ADDRESS/PREFIX@DEVICE`) where the caller knows
    /// them all; else the script reads them.
    public init(
        plan: RegistrationPlan, vm: String, interfaces: [Int: String] = [:], addresses: [String]? = nil,
        persist: Bool = false
    ) {
        self.vm = vm
        var s = ScriptWriter()
        let steps = GuestScriptSteps(plan: plan, vm: vm, addresses: addresses)
        steps.prologue(&s)
        steps.findNICs(&s, interfaces: interfaces)
        steps.removeWhatTheSpecDropped(&s)
        steps.bridges(&s)
        steps.addresses(&s)
        steps.epilogue(&s, persist: persist)
        text = s.text
    }
}

/// The script's steps, in the order they must run: each writes its lines.
struct GuestScriptSteps {
    let plan: RegistrationPlan
    let vm: String
    var addresses: [String]? = nil
    var nics: [PlannedNIC] { plan.nics(of: vm) }
    var mark: String { "vboxlab:\(plan.lab)" }

    /// The helpers every later line uses, and what the guest has now.
    func prologue(_ s: inout ScriptWriter) {
        s.line("# vboxlab guest setup for \(vm) of lab \(plan.lab) (generated; running it twice changes nothing)")
        s.line("set -u")
        s.line("batch=''; changes=0; net=/sys/class/net")
        s.line("change() { printf '%s\\n' \"$2\"; batch=\"$batch$1\n\"; changes=$((changes+1)); }")
        s.line(
            "has_mac() { for d in $net/*; do [ -r \"$d/address\" ] && [ ! -d \"$d/bridge\" ] || continue; read -r a "
                + "< \"$d/address\"; [ \"$a\" = \"$1\" ] && { echo \"${d##*/}\"; return 0; }; done; return 1; }"
        )
        s.line("is_up() { read -r f < \"$net/$1/flags\"; [ $(( f & 1 )) -eq 1 ]; }")
        s.line("master_of() { [ -e \"$net/$1/master\" ] && basename \"$(readlink \"$net/$1/master\")\"; }")
        if let addresses {
            s.line("addrs=\(shellQuote(" " + addresses.map { $0 + " " }.joined()))")
        } else {
            s.line(
                "addrs=\" $(ip -o -4 addr show 2>/dev/null | while read -r _ dev _ a _; do printf '%s@%s ' \"$a\" "
                    + "\"$dev\"; done)\""
            )
        }
        // NetworkManager, where it runs, would undo or fight the runtime setup (seed: CentOS 8).
        s.line(
            "nm=0; command -v nmcli >/dev/null 2>&1 && [ \"$(nmcli -t -f RUNNING general 2>/dev/null)\" = running ] "
                + "&& nm=1"
        )
        s.line(
            "strip() { for a in $addrs; do [ \"${a##*@}\" = \"$1\" ] && [ \"${a%@*}\" != \"$2\" ] && change \"addr "
                + "del ${a%@*} dev $1\" \"removed ${a%@*} from $1\"; done; }"
        )
    }

    /// Each lab NIC into a variable: by the name the caller knows, else by MAC.
    func findNICs(_ s: inout ScriptWriter, interfaces: [Int: String]) {
        for nic in nics {
            let v = "nic\(nic.slot)"
            if let name = interfaces[nic.slot] ?? nic.interface {
                s.line(
                    "\(v)=\(shellQuote(name)); [ -e \"$net/$\(v)\" ] || { echo \"\(vm): no interface \(name) for "
                        + "slot \(nic.slot) (\(nic.network))\" >&2; exit 3; }"
                )
            } else {
                // The guest MAC if a previous run set it, else the registered MAC VirtualBox gives the NIC.
                let candidates = [nic.guestMac, nic.mac, nic.ownMac].map(\.description)
                var seen = Set<String>()
                let find = candidates.filter { seen.insert($0).inserted }.map { "has_mac \($0)" }.joined(
                    separator: " || ")
                s.line(
                    "\(v)=$(\(find)) || { echo \"\(vm): no interface with MAC \(nic.mac) (slot \(nic.slot), "
                        + "\(nic.network))\" >&2; exit 3; }"
                )
            }
        }
    }

    /// What the spec no longer has: a NIC in a bridge the plan does not put it in, the
    /// lab's own bridges the plan dropped (marked by their alias; nobody else's is touched).
    func removeWhatTheSpecDropped(_ s: inout ScriptWriter) {
        for nic in nics {
            let v = "$nic\(nic.slot)"
            let want = nic.bridge.map(shellQuote) ?? "''"
            s.line(
                "m=$(master_of \(v)); [ -z \"$m\" ] || [ \"$m\" = \(want) ] || change \"link set dev \(v) nomaster\" "
                    + "\"removed \(v) from $m\""
            )
        }
        let planned = plan.bridges(of: vm).map { shellQuote($0.name) }
        s.line(
            "for d in $net/*; do [ -d \"$d/bridge\" ] && [ -r \"$d/ifalias\" ] || continue; read -r al < "
                + "\"$d/ifalias\" || al=''; [ \"$al\" = \(shellQuote(mark)) ] || continue; case \"${d##*/}\" in "
                + "\(planned.isEmpty ? "''" : planned.joined(separator: "|"))) ;; *) change \"link del ${d##*/}\" "
                + "\"removed bridge ${d##*/}\";; esac; done"
        )
    }

    /// The bridges, their STP and MAC, and their ports.
    func bridges(_ s: inout ScriptWriter) {
        for bridge in plan.bridges(of: vm) {
            let b = shellQuote(bridge.name)
            // The alias marks the bridge as this lab's, so a later run may remove it when the spec drops it.
            s.line(
                "if [ ! -d \"$net/\(bridge.name)/bridge\" ]; then change 'link add \(bridge.name) type bridge "
                    + "stp_state \(bridge.stp ? 1 : 0)\nlink set dev \(bridge.name) alias \(mark)' 'created bridge "
                    + "\(bridge.name)'; fresh=1; else fresh=0; fi"
            )
            s.line(
                "[ $fresh = 1 ] || { read -r st < \"$net/\(bridge.name)/bridge/stp_state\"; [ \"$st\" = "
                    + "\(bridge.stp ? 1 : 0) ] || change 'link set dev \(bridge.name) type bridge stp_state "
                    + "\(bridge.stp ? 1 : 0)' 'set stp \(bridge.stp ? "on" : "off") on \(bridge.name)'; }"
            )
            if let mac = bridge.mac {
                s.line(
                    "{ [ $fresh = 0 ] && read -r a < \"$net/\(bridge.name)/address\" && [ \"$a\" = \(mac) ]; } || "
                        + "change 'link set dev \(bridge.name) address \(mac)' 'set \(bridge.name) MAC \(mac)'"
                )
            }
            for slot in bridge.portSlots {
                let v = "$nic\(slot)"
                s.line(
                    "[ \"$(master_of \(v))\" = \(b) ] || change \"link set dev \(v) master \(bridge.name)\" \"added "
                        + "\(v) to \(bridge.name)\""
                )
            }
        }
    }

    /// Each NIC's guest MAC, link and address; then each bridge's link and address. Addresses
    /// go in with `replace`: one the guest's own network service adds between the read and the
    /// batch (a guest that just booted, a persisted setup) must not fail it with "File exists".
    func addresses(_ s: inout ScriptWriter) {
        for nic in nics {
            let v = "$nic\(nic.slot)"
            s.line(
                "read -r a < \"$net/\(v)/address\"; [ \"$a\" = \(nic.guestMac) ] || change \"link set dev \(v) "
                    + "address \(nic.guestMac)\" \"set \(v) MAC \(nic.guestMac) (was $a)\""
            )
            s.line("is_up \(v) || change \"link set dev \(v) up\" \"brought \(v) up\"")
            s.line("strip \(v) \(nic.ip.map { $0.description } ?? "-")")
            if let ip = nic.ip {
                s.line(
                    "case \"$addrs\" in *\" \(ip)@\(v) \"*) ;; *) change \"addr replace \(ip) dev \(v)\" \"added \(ip) "
                        + "to \(v)\";; esac"
                )
            }
        }
        for bridge in plan.bridges(of: vm) {
            s.line(
                "{ [ -d \"$net/\(bridge.name)\" ] && is_up \(bridge.name); } || change 'link set dev \(bridge.name) "
                    + "up' 'brought \(bridge.name) up'"
            )
            s.line("strip \(bridge.name) \(bridge.ip.map { $0.description } ?? "-")")
            if let ip = bridge.ip {
                s.line(
                    "case \"$addrs\" in *\" \(ip)@\(bridge.name) \"*) ;; *) change 'addr replace \(ip) dev "
                        + "\(bridge.name)' 'added \(ip) to \(bridge.name)';; esac"
                )
            }
        }
    }

    /// NetworkManager kept off the lab's devices, persistence, and the one `ip -batch`.
    func epilogue(_ s: inout ScriptWriter, persist: Bool) {
        if !persist && !nics.isEmpty {
            // Without --persist the lab's devices are taken from NetworkManager for the run;
            // with it, the connections written below hand them to NetworkManager as they are.
            s.line(
                "[ $nm = 0 ] || for d in \(nics.map { "$nic\($0.slot)" }.joined(separator: " ")); do nmcli device "
                    + "set \"$d\" managed no 2>/dev/null; done"
            )
        }
        if persist { s.raw(GuestPersistence(plan: plan, vm: vm).script) }
        s.line("if [ $changes -eq 0 ]; then echo '\(vm): already set up; nothing changed'; exit 0; fi")
        // Forget neighbours learnt before the change, so the next ping asks afresh.
        s.line("batch=\"${batch}neigh flush all\n\"")
        s.line("printf '%s' \"$batch\" | ip -batch - || { echo '\(vm): ip -batch failed' >&2; exit 3; }")
        if !persist && !plan.bridges(of: vm).isEmpty {
            s.line(
                "[ $nm = 0 ] || for d in \(plan.bridges(of: vm).map(\.name).joined(separator: " ")); do nmcli device "
                    + "set \"$d\" managed no 2>/dev/null; done"
            )
        }
        s.line("echo \"\(vm): $changes changes\"")
    }
}

struct ScriptWriter {
    private(set) var text: String
    init(header: Bool = true) { text = header ? "#!/bin/sh\n" : "" }
    mutating func line(_ l: String) { text += l + "\n" }
    mutating func raw(_ t: String) { text += t }
}
