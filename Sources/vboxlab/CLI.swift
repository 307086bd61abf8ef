import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// The command line: global options, then one command's type parses its words and runs.
/// Every failure is a `VBoxLabError`, printed once here, with its exit status.
enum CLI {
    static func run(_ arguments: [String], undo: UndoLog) -> Int32 {
        do {
            var argv = arguments
            // The completion words are the user's, global options included: read them as they are.
            if argv.first != "__complete" { try takeGlobalOptions(&argv) }
            return try dispatch(argv, undo: undo)
        } catch {
            // An interrupt makes the running command fail; the signal handler reports and exits.
            while undo.interrupted { sleep(1) }
            return fail(error)
        }
    }

    /// `-q`, `-v` and `--color WHEN`, anywhere before `--`.
    static func takeGlobalOptions(_ argv: inout [String]) throws(VBoxLabError) {
        let end = argv.firstIndex(of: "--") ?? argv.count
        for (flag, set) in [
            ("-q", { Output.quiet = true }), ("--quiet", { Output.quiet = true }),
            ("-v", { Output.verbose = true }), ("--verbose", { Output.verbose = true }),
        ] as [(String, () -> Void)] {
            if let i = argv[..<min(end, argv.count)].firstIndex(of: flag) {
                set()
                argv.remove(at: i)
            }
        }
        var i = 0
        while i < min(argv.firstIndex(of: "--") ?? argv.count, argv.count) {
            let a = argv[i]
            guard a == "--color" || a.hasPrefix("--color=") else {
                i += 1
                continue
            }
            let value = a == "--color" ? (i + 1 < argv.count ? argv[i + 1] : "") : String(a.dropFirst("--color=".count))
            guard let when = Output.ColorWhen(rawValue: value) else {
                throw .usage(
                    message: notAChoice(
                        value, noun: "colour setting", values: Output.ColorWhen.allCases.map(\.rawValue)),
                    usage: "USAGE: vboxlab [--color auto|always|never] <command> ...")
            }
            Output.color = when
            argv.removeSubrange(i..<(a == "--color" ? i + 2 : i + 1))
        }
    }

    static func dispatch(_ argv: [String], undo: UndoLog) throws(VBoxLabError) -> Int32 {
        switch argv.first {
        case "--version":
            print(Output.version)
            return 0
        case "completion":
            guard argv.count == 2, let script = Completion.script(for: argv[1]) else {
                throw .usage(
                    message: "completion takes one shell: bash, zsh or fish",
                    usage: "USAGE: vboxlab completion bash|zsh|fish")
            }
            print(script, terminator: "")
            return 0
        case "man-page":
            guard argv.count == 1 else {
                throw .usage(message: "man-page takes no arguments", usage: "USAGE: vboxlab man-page")
            }
            print(ManPage.roff, terminator: "")
            return 0
        case "__complete":
            // For the completion scripts: never an error, at worst nothing to offer.
            let env = Output.environment(undo: undo, progress: { _ in })
            print(Completion.answer(Array(argv.dropFirst()), finder: env.finder), terminator: "")
            return 0
        case "help" where argv.count > 1:
            guard let command = Commands.named(argv[1]) else {
                throw .usage(
                    message: "no command '\(argv[1])' to help with",
                    usage: "USAGE: vboxlab help <command>\n  See 'vboxlab --help'.")
            }
            print(command.configuration.help)
            return 0
        case nil, "--help", "-h", "help":
            print(Help.overview)
            return argv.isEmpty ? 2 : 0
        case let word?:
            guard let command = Commands.named(word) else { throw unknownCommand(word) }
            let args = try ArgumentParser.parse(Array(argv.dropFirst()), for: command.configuration)
            if args.wantsHelp {
                print(command.configuration.help)
                return 0
            }
            var env = Output.environment(undo: undo)
            try env.validateVariables()
            env.command = command.configuration.name
            return try command.init(args).run(env)
        }
    }

    /// Never a "did you mean" that removes things: a typo must not lead to a destroy.
    static func unknownCommand(_ word: String) -> VBoxLabError {
        var message = "unknown command '\(word)'"
        let safe = Commands.specs.filter { !$0.isDestructive }.map(\.name)
        if let near = suggestion(for: word, among: safe) { message += "; did you mean '\(near)'?" }
        return .usage(message: message, usage: "USAGE: vboxlab <command> [options]\n  See 'vboxlab --help'.")
    }

    static func fail(_ error: VBoxLabError) -> Int32 {
        // Spec values reach messages: no control byte of theirs reaches the terminal.
        var text = error.explanation.escapedForTerminal
        if Output.statusShown.get() { text = "\n" + text }
        if Output.colors(FileHandle.standardError), text.hasPrefix("error:") {
            text = "\u{1B}[31merror:\u{1B}[0m" + text.dropFirst(6)
        }
        StandardError.emit(text + "\n")
        return error.exitCode
    }
}

/// `vboxlab --help`: the commands and the global options, from the command types and the
/// registry. The same lists make the man page (`ManPage`), so the two never disagree.
enum Help {
    /// The options every command takes, as help and the man page show them.
    static let globalOptions: [(flags: String, meaning: String)] = [
        ("-q, --quiet", "no progress lines on stderr"),
        ("-v, --verbose", "every external command on stderr as it runs"),
        ("--version", "the version, and the source commit"),
        ("--color WHEN", "auto (on a terminal, unless NO_COLOR is set), always or never"),
    ]

    /// The words that are not lab commands: they print something for the shell or the reader.
    static let utilities: [(usage: String, meaning: String)] = [
        ("vboxlab completion bash|zsh|fish", "prints a completion script (bash: source <(vboxlab completion bash))"),
        ("vboxlab man-page", "prints this manual in roff (man -l <(vboxlab man-page))"),
    ]

    /// Every environment variable vboxlab reads, with what it means.
    static var variables: [(name: String, meaning: String)] {
        [("VBOXLAB_PROVIDER", "provider to use (\(ProviderRegistry.names.joined(separator: " or ")))")]
            + ProviderRegistry.entries.flatMap(\.environment).map { (name: $0.0, meaning: $0.1) }
            + LabEnvironment.documented.map { (name: $0.name, meaning: $0.meaning) }
            + [
                ("XDG_STATE_HOME", "lab records go to $XDG_STATE_HOME/vboxlab (default ~/.local/state/vboxlab)"),
                ("XDG_RUNTIME_DIR", "locks and sockets go to $XDG_RUNTIME_DIR/vboxlab (default /run/vboxlab for root)"),
            ]
    }

    static let tagline = "vboxlab builds VirtualBox labs whose Linux bridges work, and says why a ping fails."

    static var overview: String {
        var lines = [
            "OVERVIEW: \(tagline)", "",
            "USAGE: vboxlab <command> [LAB] [options]", "", "COMMANDS:",
        ]
        // Columns as wide as the longest name and two spaces: a name never runs into its summary.
        let width = Commands.specs.map(\.name.count).max()! + 2
        lines += Commands.specs.map {
            "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary
        }
        let aliases = Commands.specs.flatMap { s in s.aliases.map { "\($0) for \(s.name)" } }
        lines += [
            "", "  Aliases: \(aliases.joined(separator: ", ")).",
            "  See 'vboxlab <command> --help' or 'vboxlab help <command>' for a command's options.",
            "", "GLOBAL OPTIONS:",
        ]
        lines += globalOptions.map { "  " + $0.flags.padding(toLength: 17, withPad: " ", startingAt: 0) + $0.meaning }
        lines +=
            [""] + utilities.map { "  " + $0.usage.padding(toLength: 35, withPad: " ", startingAt: 0) + $0.meaning }
        lines += ["", "PROVIDERS (first that works here is the default for a new lab):"]
        lines += ProviderRegistry.entries.map {
            "  " + $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + $0.summary
        }
        lines +=
            ["", "ENVIRONMENT:"]
            + variables.map { "  " + $0.name.padding(toLength: 20, withPad: " ", startingAt: 0) + $0.meaning }
        return lines.joined(separator: "\n")
    }
}
