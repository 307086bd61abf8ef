import VBoxLab

/// The commands, as an enum: a word on the command line maps to one case or to none.
enum CommandName: String, CaseIterable {
    case validate, plan, create
    case fixMacs = "fix-macs"
    case sshSetup = "ssh-setup"
    case ssh, check, status, list, destroy
    case pruneBases = "prune-bases"
    case graph

    /// Commands that remove things: never offered as a "did you mean" for an unknown word.
    var isDestructive: Bool { self == .destroy || self == .pruneBases }

    /// Other words people type for a command (as containerlab and Vagrant users do).
    static let aliases: [String: CommandName] = ["up": .create, "deploy": .create, "down": .destroy]

    init?(word: String) {
        if let c = CommandName(rawValue: word) { self = c } else if let c = CommandName.aliases[word] { self = c } else { return nil }
    }
}

/// Every command's arguments, options and help text.
enum Commands {
    static let provider = OptionSpec("provider", value: "P", help: "virtualbox or netns. Default: $VBOXLAB_PROVIDER, else the provider the lab was made with, else virtualbox when VBoxManage is found, else netns.")
    static let strategy = OptionSpec("strategy", value: "S", help: "Override the spec's strategy: auto, mac-swap, promisc or none.")
    static let json = OptionSpec("json", help: "Print JSON for programs instead of text.")
    static let dryRun = OptionSpec("dry-run", help: "Print the changes and every command that would run; change nothing.")
    static let lab = "LAB?"
    static let finding = "LAB is a path to a spec, ./LAB.json5, ./labs/LAB.json5, or the name of a lab that create recorded. Left out, it is the one recorded lab on this host, else the only spec in . or ./labs."

    static let all: [CommandName: CommandSpec] = [
        .validate: CommandSpec(name: "validate", summary: "Check a lab spec; print nothing else on success (warnings go to stderr).",
                               arguments: [lab], options: [], discussion: finding + " Every problem of the file is reported, with its JSON path."),
        .plan: CommandSpec(name: "plan", summary: "Show the MAC registrations, promiscuous policies and guest MACs the lab needs, and why.",
                           arguments: [lab], options: [json, strategy], discussion: finding),
        .create: CommandSpec(name: "create", summary: "Build the lab (or bring it to its spec), set up the guests, then run check.",
                             arguments: [lab], options: [dryRun, OptionSpec("no-setup", help: "Stop once the VMs run; skip guest setup and check."), strategy, provider],
                             discussion: finding + " Run twice, it changes nothing the second time; on a lab whose spec changed it adds, changes and removes VMs, NICs, addresses and bridge ports to match. A failed create removes what it made."),
        .fixMacs: CommandSpec(name: "fix-macs", summary: "Bring an existing lab's registrations, policies and guest MACs to the plan.",
                              arguments: [lab], options: [dryRun, OptionSpec("restart", help: "Shut down a running VM whose MAC or network must change (ACPI, then power off), change it, start it again."),
                                                          OptionSpec("no-setup", help: "Change VirtualBox (or the switch) only, not the guests."),
                                                          strategy, provider], discussion: finding),
        .sshSetup: CommandSpec(name: "ssh-setup", summary: "Push one VM's guest setup (bridges, port MACs, addresses) into the VM.",
                               arguments: ["VM"], options: [OptionSpec("lab", value: "LAB", help: "The lab of the VM (default: the lab that has a VM of that name)."),
                                                            OptionSpec("persist", help: "Also write configuration that survives a reboot (NetworkManager, systemd-networkd or ifupdown)."),
                                                            OptionSpec("wait", value: "SECONDS", help: "How long to wait for the VM's ssh to answer (default 60)."), dryRun, provider],
                               discussion: "Over ssh to the VM (the spec's ssh block, or VirtualBox's NAT forward); on netns without an ssh host, through ip netns exec. Running it twice changes nothing."),
        .ssh: CommandSpec(name: "ssh", summary: "Open a shell in a VM, or run one command there.",
                          arguments: ["VM", "COMMAND..."], options: [OptionSpec("lab", value: "LAB", help: "The lab of the VM (default: the lab that has a VM of that name)."), provider],
                          discussion: "vboxlab ssh centos-1 -- ping -c1 1.1.1.20 runs one command; without a command, an interactive shell."),
        .check: CommandSpec(name: "check", summary: "Ping every pair of lab addresses; print the matrix and say why a pair fails.",
                            arguments: [lab], options: [json, OptionSpec("pair", value: "A B", help: "Ping and trace one pair (VM names or addresses) hop by hop."),
                                                        OptionSpec("capture", help: "Capture on the switch ports (netns) to confirm where a frame was lost."),
                                                        OptionSpec("matrix", help: "Print the ping matrix even above 12 endpoints."), provider],
                            discussion: finding + " Exit 0 when every pair answers, 1 when one does not or there is nothing to check."),
        .status: CommandSpec(name: "status", summary: "Show the lab as the system has it: VMs, NICs, registered and guest MACs, policies.",
                             arguments: [lab], options: [json, provider], discussion: finding + " Works from the record when the spec is gone."),
        .list: CommandSpec(name: "list", summary: "List every lab vboxlab made on this host, and the bases of Vagrant boxes.",
                           arguments: [], options: [json], discussion: "Name, provider, VMs running of total, spec path, and whether the system still matches the record; then, where VBoxManage is found, each box's base VM and the labs that clone it."),
        .graph: CommandSpec(name: "graph", summary: "Draw the lab: VMs, NICs (slot, MACs, policy), internal networks, bridges.",
                            arguments: [lab], options: [OptionSpec("format", value: "F", help: "mermaid (default), dot, or svg (through Graphviz's dot)."),
                                                        OptionSpec("check", help: "Colour the hosts by the last check's result and mark where frames were lost."),
                                                        OptionSpec("strategy", value: "S", help: "Override the spec's strategy.")],
                            discussion: finding + " The last check of a lab is kept beside its record."),
        .pruneBases: CommandSpec(name: "prune-bases", summary: "Delete the base VMs of Vagrant boxes that no lab clones.",
                                 arguments: [], options: [dryRun], discussion: "destroy never removes a base; this does, once no recorded lab (and no other VM's disk) builds on it."),
        .destroy: CommandSpec(name: "destroy", summary: "Remove everything that create made, and nothing else.",
                              arguments: [lab], options: [OptionSpec("all", help: "Remove every lab vboxlab made on this host."), dryRun, provider],
                              discussion: finding + " Works from the record when the spec is gone or invalid."),
    ]

    static func spec(_ name: CommandName) -> CommandSpec { all[name]! }

    static var overview: String {
        var lines = ["OVERVIEW: vboxlab builds VirtualBox labs whose Linux bridges work, and says why a ping fails.", "",
                     "USAGE: vboxlab <command> [LAB] [options]", "", "COMMANDS:"]
        lines += CommandName.allCases.map { "  " + $0.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + spec($0).summary }
        lines += ["", "  Aliases: up and deploy for create, down for destroy.",
                  "  See 'vboxlab <command> --help' or 'vboxlab help <command>' for a command's options.",
                  "", "GLOBAL OPTIONS:", "  -q, --quiet      no progress lines on stderr",
                  "  -v, --verbose    every external command on stderr as it runs",
                  "  --version        the version, and the source commit",
                  "  --color WHEN     auto (on a terminal, unless NO_COLOR is set), always or never",
                  "", "  vboxlab completion bash|zsh|fish   prints a completion script (bash: source <(vboxlab completion bash))",
                  "", "ENVIRONMENT:", "  VBOXLAB_PROVIDER    provider to use (virtualbox or netns)",
                  "  VBOXLAB_VBOXMANAGE  the VBoxManage program to run",
                  "  XDG_STATE_HOME      lab records go to $XDG_STATE_HOME/vboxlab (default ~/.local/state/vboxlab)"]
        return lines.joined(separator: "\n")
    }
}
