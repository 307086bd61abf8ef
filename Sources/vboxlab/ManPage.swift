import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// `vboxlab(1)` in roff, made from the same declarations as `--help` and completion: the
/// command types' `configuration`, `Help`'s global options and variables, and the provider
/// registry. `scripts/package` and `scripts/install` write it with `vboxlab man-page`, so the
/// manual can never describe an option the binary does not have.
enum ManPage {
    static var roff: String {
        var page = [
            ".\\\" Made by `vboxlab man-page` from the command declarations; do not edit.",
            ".TH VBOXLAB 1 \"\" \"vboxlab \(Output.number)\" \"User Commands\"",
            // No hyphenation and a ragged right edge: option names and paths stay whole, so a
            // reader (or a test) finds every word of `--help` in the rendered page.
            ".nh", ".ad l",
            ".SH NAME", "vboxlab \\- " + text(String(Help.tagline.dropFirst("vboxlab ".count).dropLast())),
            ".SH SYNOPSIS",
            ".B vboxlab", "[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fILAB\\fR] [\\fIOPTIONS\\fR]",
            ".SH DESCRIPTION",
        ]
        page += description.map { ".PP\n" + text($0) }
        page += [".SH COMMANDS", ".PP", text("Every command takes:")] + item("--help", "Show help information.")
        page += Commands.specs.flatMap(command)
        page += [".SH GLOBAL OPTIONS"] + Help.globalOptions.flatMap { item($0.flags, $0.meaning) }
        page += Help.utilities.flatMap { item($0.usage, $0.meaning) }
        page += [
            ".SH PROVIDERS", ".PP",
            text(
                "The first provider that works here is the default for a new lab; a lab keeps the provider it was "
                    + "made with."
            ),
        ]
        page += ProviderRegistry.entries.flatMap { item($0.name, $0.summary) }
        page += [".SH ENVIRONMENT"] + Help.variables.flatMap { item($0.name, $0.meaning) }
        page += [".SH FILES"] + files.flatMap { item($0.0, $0.1) }
        page += [".SH EXIT STATUS"] + exitStatuses.flatMap { item($0.0, $0.1) }
        page += [".SH EXAMPLES"] + examples.flatMap { [".PP", text($0.1), ".IP", bold($0.0)] }
        page += [
            ".SH SEE ALSO",
            "\\fBVBoxManage\\fR(1), \\fBip\\fR(8), \\fBbridge\\fR(8), \\fBssh\\fR(1), \\fBtcpdump\\fR(8), "
                + "\\fBqemu-system-x86_64\\fR(1)",
        ]
        page += [
            ".PP",
            text(
                "The spec format, with every field and an example lab: /usr/share/vboxlab/labs/README.md "
                    + "(PREFIX/share/vboxlab/labs/README.md where scripts/install put vboxlab)."
            ),
        ]
        return page.joined(separator: "\n") + "\n"
    }

    static let description = [
        "VirtualBox's internal network is a registering switch, not a learning one: it hands a unicast frame only to "
            + "the NIC registered with the frame's destination MAC. A Linux bridge inside a VM between two internal "
            + "networks therefore never receives the replies of the hosts behind it, and the ping across it fails.",
        "vboxlab builds such labs from one spec file (JSON5), computes the fix (register on each bridge port the MAC "
            + "of the host behind it and give the port another MAC inside the guest, or let the port be promiscuous), "
            + "applies it, sets up the guests, pings every pair, and when a pair fails says which frame was lost, "
            + "where, "
            + "why, and what fixes it. Where VirtualBox is not installed, the same lab runs in Linux network "
            + "namespaces "
            + "with the registering switch emulated, or on real Debian guests under QEMU.",
    ]

    /// One command: its usage line, summary, discussion, options and aliases.
    static func command(_ spec: CommandSpec) -> [String] {
        var lines = [".SS \(text(spec.name))", bold(spec.usageLine), ".PP", text(spec.summary)]
        if !spec.discussion.isEmpty { lines += [".PP", text(spec.discussion)] }
        for option in spec.options {
            lines += item("--" + option.name + (option.valueName.map { " " + $0 } ?? ""), option.help)
        }
        if !spec.aliases.isEmpty { lines += [".PP", text("Aliases: \(spec.aliases.joined(separator: ", ")).")] }
        return lines
    }

    static let files: [(String, String)] = [
        (
            "~/.local/state/vboxlab/labs",
            "one record per lab ($XDG_STATE_HOME/vboxlab/labs where set): what create made, so destroy, list and "
                + "status work when the spec is gone"
        ),
        (
            "/run/vboxlab",
            "locks, ssh control sockets and QEMU monitors while a lab runs (/tmp/vboxlab-UID for a user other than "
                + "root; $XDG_RUNTIME_DIR/vboxlab where set)"
        ),
        (
            "/run/vboxlab-host",
            "what root keeps host-wide: neighbour-table limits, the QEMU accelerator that works here, and each "
                + "namespace VM's host name (uts/NAMESPACE)"
        ),
        ("/var/lib/vboxlab/images", "guest images for the qemu provider ($VBOXLAB_IMAGES where set)"),
        (
            "/usr/share/vboxlab/labs",
            "the bundled labs (the seed bridge-lab among them), their JSON Schema and the spec reference; found by "
                + "name from any directory"
        ),
    ]

    static let exitStatuses: [(String, String)] = [
        ("0", "success"),
        (
            "1",
            "the lab does not work or cannot be planned (a failing pair, an unmeetable plan, nothing to check), or a "
                + "guest did not answer"
        ),
        ("2", "bad usage, or an invalid or ambiguous spec"),
        ("3", "an external program failed; the message shows its command line and its stderr"),
        ("4", "something the command needs is missing (root, VBoxManage, ip, ssh)"),
    ]

    static let examples: [(String, String)] = [
        ("vboxlab create bridge-lab", "Create the seed lab, set up its guests and ping every pair."),
        ("vboxlab fix-macs bridge-lab", "Compute, show and apply the MAC registrations for VMs that already exist."),
        ("vboxlab ssh-setup centos-2", "Push the guest setup (bridge, port MACs, addresses) to one VM over ssh."),
        ("vboxlab check bridge-lab", "Ping every pair and say why a pair fails."),
    ]

    /// A tagged paragraph: the term in bold, then its meaning.
    static func item(_ term: String, _ meaning: String) -> [String] {
        [".TP", bold(term), text(meaning)]
    }

    /// A line in bold, as text rather than a macro argument, so quotes in it stay quotes.
    static func bold(_ s: String) -> String { "\\fB" + text(s) + "\\fR" }

    /// Text as roff reads it literally: backslashes escaped, every hyphen a minus (so options
    /// copy and paste as typed), and a line never starting with a control character.
    static func text(_ s: String) -> String {
        let escaped = s.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
            .replacingOccurrences(of: "\n", with: " ")
        return escaped.hasPrefix(".") || escaped.hasPrefix("'") ? "\\&" + escaped : escaped
    }
}
