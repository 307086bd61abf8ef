import VBoxLab

/// Every command's arguments, options and help text.
enum Commands {
    static let provider = OptionSpec("provider", value: "P", help: "virtualbox or netns (default: $VBOXLAB_PROVIDER, else virtualbox).")
    static let strategy = OptionSpec("strategy", value: "S", help: "Override the spec's strategy: auto, mac-swap, promisc or none.")
    static let json = OptionSpec("json", help: "Print JSON for programs instead of text.")
    static let dryRun = OptionSpec("dry-run", help: "Print every command that would run, one per line; change nothing.")

    static let all: [CommandSpec] = [
        CommandSpec(name: "validate", summary: "Check a lab spec; print nothing else on success.",
                    arguments: ["LAB"], options: [provider],
                    discussion: "LAB is a name (labs/LAB.json5) or a path. Every problem of the file is reported, with its JSON path."),
        CommandSpec(name: "plan", summary: "Show the MAC registrations, promiscuous policies and guest MACs the lab needs, and why.",
                    arguments: ["LAB"], options: [json, strategy, provider]),
        CommandSpec(name: "create", summary: "Build the lab, set up the guests, then run check.",
                    arguments: ["LAB"], options: [dryRun, OptionSpec("no-setup", help: "Stop once the VMs run; skip guest setup and check."), strategy, provider],
                    discussion: "Run twice, it changes nothing the second time. A failed create removes what it made."),
        CommandSpec(name: "fix-macs", summary: "Bring an existing lab's registrations, policies and guest MACs to the plan.",
                    arguments: ["LAB"], options: [dryRun, strategy, provider]),
        CommandSpec(name: "ssh-setup", summary: "Push one VM's guest setup (bridges, port MACs, addresses) over ssh.",
                    arguments: ["VM"], options: [OptionSpec("lab", value: "LAB", help: "The lab of the VM (optional when one lab in labs/ has it)."), dryRun, provider]),
        CommandSpec(name: "check", summary: "Ping every pair of lab addresses; print the matrix and say why a pair fails.",
                    arguments: ["LAB"], options: [json, OptionSpec("pair", value: "A B", help: "Trace one pair (VM names or addresses) hop by hop."),
                                                  OptionSpec("capture", help: "Capture on the switch ports (netns) to confirm where a frame was lost."), provider]),
        CommandSpec(name: "status", summary: "Show the lab as the system has it: VMs, NICs, registered and guest MACs, policies.",
                    arguments: ["LAB"], options: [json, provider]),
        CommandSpec(name: "destroy", summary: "Remove everything that create made, and nothing else.",
                    arguments: ["LAB"], options: [provider]),
    ]

    static var overview: String {
        var lines = ["OVERVIEW: vboxlab builds VirtualBox labs whose Linux bridges work, and says why a ping fails.", "",
                     "USAGE: vboxlab <command> [options]", "", "COMMANDS:"]
        lines += all.map { "  " + $0.name.padding(toLength: 11, withPad: " ", startingAt: 0) + $0.summary }
        lines += ["", "  See 'vboxlab <command> --help' for a command's options.",
                  "", "ENVIRONMENT:", "  VBOXLAB_PROVIDER    default provider (virtualbox or netns)",
                  "  VBOXLAB_VBOXMANAGE  the VBoxManage program to run"]
        return lines.joined(separator: "\n")
    }
}

import Foundation
