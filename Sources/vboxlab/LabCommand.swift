import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// One command of the command line, as a type: its words, arguments and options
/// (`configuration`), read and checked in `init` before any lookup, lock or external call,
/// then run against the library. The same shape as swift-argument-parser's commands.
protocol LabCommand {
    static var configuration: CommandSpec { get }
    /// Reads every argument into typed values; a bad one is a usage error here.
    init(_ arguments: ParsedArguments) throws(VBoxLabError)
    /// Calls the library and prints; returns the exit status.
    func run(_ environment: LabEnvironment) throws(VBoxLabError) -> Int32
}

extension LabCommand {
    static func usage(_ message: String) -> VBoxLabError { configuration.usageError(message) }
}

/// Every command, in the order help lists them.
enum Commands {
    static var all: [any LabCommand.Type] {
        [
            Validate.self, Plan.self, Create.self, FixMacs.self, SSHSetup.self, SSH.self, Check.self, Status.self,
            Exec.self, Capture.self, Stop.self, Start.self, Snapshot.self, List.self, Destroy.self, PruneBases.self,
            Graph.self,
        ]
    }

    static var specs: [CommandSpec] { all.map { $0.configuration } }

    /// The command a word names, by name or alias.
    static func named(_ word: String) -> (any LabCommand.Type)? {
        all.first { $0.configuration.name == word || $0.configuration.aliases.contains(word) }
    }
}

/// Options and words that several commands share.
enum Options {
    static let lab = "LAB?"
    static let finding =
        "LAB is a path to a spec, ./LAB.json5, ./labs/LAB.json5, or the name of a lab that create recorded. Left "
        + "out, it is the one recorded lab on this host, else the only spec in . or ./labs."
    static let json = OptionSpec("json", help: "Print JSON for programs instead of text.")
    static let dryRun = OptionSpec(
        "dry-run", help: "Print the changes and every command that would run; change nothing.")
    static let noSetup = OptionSpec("no-setup", help: "Stop once the VMs run; skip guest setup and check.")
    static let force = OptionSpec(
        "force",
        help: "Start VMs whose memory or vCPUs exceed what this host has (VirtualBox, QEMU); refused otherwise.")
    static let strategy = OptionSpec(
        "strategy", choosing: "strategy", from: Strategy.allCases.map(\.rawValue),
        help: "Override the spec's strategy.")
    static let vmLab = OptionSpec(
        "lab", value: "LAB", help: "The lab of the VM (default: the lab that has a VM of that name).")
    static var provider: OptionSpec {
        let order = ProviderRegistry.entries.map { "\($0.name) (\($0.summary))" }.joined(separator: ", then ")
        return OptionSpec(
            "provider", choosing: "provider", from: ProviderRegistry.names,
            help:
                "Default: $VBOXLAB_PROVIDER, else the provider the lab was made with, else the first that works "
                + "here: \(order)."
        )
    }
}
