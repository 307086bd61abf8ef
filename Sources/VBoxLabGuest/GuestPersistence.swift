import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// `ssh-setup --persist`: the guest's setup written as configuration that survives a
/// reboot, for whichever of NetworkManager (keyfiles), systemd-networkd or ifupdown the
/// guest uses; the script detects which. A file is rewritten only when its text differs,
/// so a second run changes nothing. Interface names come from the guest at run time
/// (`$nicN`, found by MAC), everything else from the plan.
/// For tests, `VBOXLAB_NET_SYSTEM` names the system and `VBOXLAB_PERSIST_ROOT` a directory
/// that stands for `/`.
package struct GuestPersistence {
    let plan: RegistrationPlan
    let vm: String

    var mark: String { "vboxlab-\(plan.lab)" }

    var script: String { body(checking: false) }

    /// The files as `script` would write them, compared and never written: one `stale PATH`
    /// line per file that is missing or differs. Set up as `ssh-setup --persist` finds the
    /// NICs, so `$nicN` are the names the guest gives them now.
    package static func staleCheck(plan: RegistrationPlan, vm: String, interfaces: [Int: String]) -> String {
        var s = ScriptWriter()
        let steps = GuestScriptSteps(plan: plan, vm: vm)
        steps.prologue(&s)
        steps.findNICs(&s, interfaces: interfaces)
        s.line("changes=0")
        s.raw(GuestPersistence(plan: plan, vm: vm).body(checking: true))
        return s.text
    }

    private func body(checking: Bool) -> String {
        var s = ScriptWriter(header: false)
        s.line("root=${VBOXLAB_PERSIST_ROOT:-}; sys=${VBOXLAB_NET_SYSTEM:-}; persisted=0")
        s.line("if [ -z \"$sys\" ]; then")
        s.line("  if [ $nm = 1 ]; then sys=networkmanager")
        s.line(
            "  elif [ -d /run/systemd/netif ] || systemctl is-active -q systemd-networkd 2>/dev/null; then sys=networkd"
        )
        s.line("  elif [ -f /etc/network/interfaces ]; then sys=ifupdown")
        s.line(
            "  else echo '\(vm): found no NetworkManager, systemd-networkd or ifupdown to write the setup for' >&2; "
                + "exit 3; fi"
        )
        s.line("fi")
        if checking {
            // Compared only: nothing is written, so `persisted` stays 0 and nothing is reloaded.
            s.line("put() { f=\"$root$1\"; [ -f \"$f\" ] && [ \"$(cat \"$f\")\" = \"$2\" ] || echo \"stale $1\"; }")
        } else {
            s.line(
                "put() { f=\"$root$1\"; if [ -f \"$f\" ] && [ \"$(cat \"$f\")\" = \"$2\" ]; then return 0; fi; "
                    + "mkdir -p \"${f%/*}\" && printf '%s\\n' \"$2\" > \"$f\" && chmod \"$3\" \"$f\" || "
                    + "{ echo \"\(vm): cannot write $f\" >&2; exit 3; }; echo \"wrote $f\"; changes=$((changes+1)); "
                    + "persisted=1; }"
            )
        }
        s.line("case $sys in")
        s.line("networkmanager)")
        for (path, body) in networkManager() { put(&s, path, body, mode: "600") }
        s.line("  [ -n \"$root\" ] || [ $persisted = 0 ] || nmcli connection reload ;;")
        s.line("networkd)")
        for (path, body) in networkd() { put(&s, path, body, mode: "644") }
        s.line("  [ -n \"$root\" ] || [ $persisted = 0 ] || networkctl reload 2>/dev/null ;;")
        s.line("ifupdown)")
        for (path, body) in ifupdown() { put(&s, path, body, mode: "644") }
        s.line("  ;;")
        s.line("*) echo \"\(vm): unknown network system $sys\" >&2; exit 3 ;;")
        s.line("esac")
        return s.text
    }

    /// One `put`, the body in an unquoted here-document so that `$nicN` expands (spec values
    /// are names, addresses and MACs that validation keeps free of shell characters).
    private func put(_ s: inout ScriptWriter, _ path: String, _ body: [String], mode: String) {
        s.line("  put \"\(path)\" \"$(cat <<VBLEOF")
        for l in body { s.line(l) }
        s.line("VBLEOF")
        s.line(")\" \(mode)")
    }

    var nics: [PlannedNIC] { plan.nics(of: vm) }
    var bridges: [PlannedBridge] { plan.bridges(of: vm) }
    func dev(_ n: PlannedNIC) -> String { "$nic\(n.slot)" }

    func networkManager() -> [(String, [String])] {
        var files: [(String, [String])] = []
        let dir = "/etc/NetworkManager/system-connections"
        for b in bridges {
            var body = [
                "[connection]", "id=\(mark)-\(b.name)", "type=bridge", "interface-name=\(b.name)", "", "[bridge]",
                "stp=\(b.stp)",
            ]
            if let mac = b.mac { body.append("mac-address=\(mac.description.uppercased())") }
            body += ipv4(b.ip)
            files.append(("\(dir)/\(mark)-\(b.name).nmconnection", body))
        }
        for n in nics {
            var body = ["[connection]", "id=\(mark)-\(dev(n))", "type=ethernet", "interface-name=\(dev(n))"]
            if let b = n.bridge { body += ["controller=\(b)", "port-type=bridge", "master=\(b)", "slave-type=bridge"] }
            body += ["", "[ethernet]", "cloned-mac-address=\(n.guestMac.description.uppercased())"]
            if n.bridge == nil { body += ipv4(n.ip) }
            files.append(("\(dir)/\(mark)-\(dev(n)).nmconnection", body))
        }
        return files
    }

    private func ipv4(_ ip: IPv4CIDR?) -> [String] {
        ["", "[ipv4]"] + (ip.map { ["method=manual", "address1=\($0)"] } ?? ["method=disabled"]) + [
            "", "[ipv6]", "method=disabled",
        ]
    }

    func networkd() -> [(String, [String])] {
        var files: [(String, [String])] = []
        let dir = "/etc/systemd/network"
        for b in bridges {
            files.append(
                (
                    "\(dir)/50-\(mark)-\(b.name).netdev",
                    ["[NetDev]", "Name=\(b.name)", "Kind=bridge"] + (b.mac.map { ["MACAddress=\($0)"] } ?? []) + [
                        "", "[Bridge]", "STP=\(b.stp ? "yes" : "no")",
                    ]
                ))
            files.append(
                (
                    "\(dir)/50-\(mark)-\(b.name).network",
                    ["[Match]", "Name=\(b.name)", "", "[Network]", "LinkLocalAddressing=no"]
                        + (b.ip.map { ["Address=\($0)"] } ?? [])
                ))
        }
        for n in nics {
            var body = [
                "[Match]", "Name=\(dev(n))", "", "[Link]", "MACAddress=\(n.guestMac)", "", "[Network]",
                "LinkLocalAddressing=no",
            ]
            if let b = n.bridge { body.append("Bridge=\(b)") } else if let ip = n.ip { body.append("Address=\(ip)") }
            files.append(("\(dir)/50-\(mark)-\(dev(n)).network", body))
        }
        return files
    }

    func ifupdown() -> [(String, [String])] {
        var body = ["# written by vboxlab for lab \(plan.lab); /etc/network/interfaces must source interfaces.d"]
        for n in nics {
            body += [
                "", "auto \(dev(n))", "iface \(dev(n)) inet \(n.bridge == nil && n.ip != nil ? "static" : "manual")",
                "    hwaddress ether \(n.guestMac)",
            ]
            if n.bridge == nil, let ip = n.ip { body.append("    address \(ip)") }
        }
        for b in bridges {
            let ports = b.portSlots.map { "$nic\($0)" }.joined(separator: " ")
            body += [
                "", "auto \(b.name)", "iface \(b.name) inet \(b.ip == nil ? "manual" : "static")",
                "    bridge_ports \(ports)", "    bridge_stp \(b.stp ? "on" : "off")",
            ]
            if let ip = b.ip { body.append("    address \(ip)") }
            if let mac = b.mac { body.append("    hwaddress ether \(mac)") }
        }
        return [("/etc/network/interfaces.d/\(mark)", body)]
    }
}
