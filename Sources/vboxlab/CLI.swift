import Foundation
import VBoxLab

enum CLI {
    static func run(_ arguments: [String]) -> Int32 {
        var argv = arguments
        // Global options, anywhere before `--`.
        let end = argv.firstIndex(of: "--") ?? argv.count
        for (flag, set) in [("-q", { Output.quiet = true }), ("--quiet", { Output.quiet = true }),
                            ("-v", { Output.verbose = true }), ("--verbose", { Output.verbose = true })] as [(String, () -> Void)] {
            if let i = argv[..<min(end, argv.count)].firstIndex(of: flag) { set(); argv.remove(at: i) }
        }
        var i = 0
        while i < min(argv.firstIndex(of: "--") ?? argv.count, argv.count) {
            let a = argv[i]
            guard a == "--color" || a.hasPrefix("--color=") else { i += 1; continue }
            let value = a == "--color" ? (i + 1 < argv.count ? argv[i + 1] : "") : String(a.dropFirst("--color=".count))
            guard let when = Output.ColorWhen(rawValue: value) else {
                return fail(.usage(message: "--color takes auto, always or never, not '\(value)'", usage: "USAGE: vboxlab [--color auto|always|never] <command> ..."))
            }
            Output.color = when
            argv.removeSubrange(i..<(a == "--color" ? i + 2 : i + 1))
        }
        if argv.first == "--version" { print(Output.version); return 0 }
        if argv.first == "completion" {
            guard argv.count == 2, let script = Completion.script(for: argv[1]) else {
                return fail(.usage(message: "completion takes one shell: bash, zsh or fish", usage: "USAGE: vboxlab completion bash|zsh|fish"))
            }
            print(script, terminator: "")
            return 0
        }
        if argv.first == "help", argv.count > 1 {
            guard let name = CommandName(word: argv[1]) else {
                return fail(.usage(message: "no command '\(argv[1])' to help with", usage: "USAGE: vboxlab help <command>\n  See 'vboxlab --help'."))
            }
            print(Commands.spec(name).help)
            return 0
        }
        guard let word = argv.first, word != "--help", word != "-h", word != "help" else {
            print(Commands.overview)
            return argv.isEmpty ? 2 : 0
        }
        guard let name = CommandName(word: word) else {
            var message = "unknown command '\(word)'"
            // Never a "did you mean" that removes things: a typo must not lead to a destroy.
            let safe = CommandName.allCases.filter { !$0.isDestructive }.map(\.rawValue)
            if let near = suggestion(for: word, among: safe) { message += "; did you mean '\(near)'?" }
            return fail(.usage(message: message, usage: "USAGE: vboxlab <command> [options]\n  See 'vboxlab --help'."))
        }
        let command = Commands.spec(name)
        do {
            let args = try ArgumentParser.parse(Array(argv.dropFirst()), for: command)
            if args.wantsHelp { print(command.help); return 0 }
            return try LabCommands(command: name, args: args).run()
        } catch {
            return fail(error)
        }
    }

    static func fail(_ error: VBoxLabError) -> Int32 {
        // An interrupt makes the running command fail; the signal handler reports and exits.
        while Cleanup.shared.interrupted { sleep(1) }
        // Spec values reach messages: no control byte of theirs reaches the terminal.
        var text = error.explanation.escapedForTerminal
        if Output.colors(FileHandle.standardError), text.hasPrefix("error:") { text = "\u{1B}[31merror:\u{1B}[0m" + text.dropFirst(6) }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        return error.exitCode
    }
}

/// Progress lines go to stderr, so stdout stays data.
let progressToStderr: ProgressHandler = { line in
    if !Output.quiet { FileHandle.standardError.write(Data(("vboxlab: " + line.escapedForTerminal + "\n").utf8)) }
}

/// What the global options ask of the output.
enum Output {
    nonisolated(unsafe) static var quiet = false
    nonisolated(unsafe) static var verbose = false
    enum ColorWhen: String { case auto, always, never }
    nonisolated(unsafe) static var color = ColorWhen.auto

    /// Colour on a terminal, unless NO_COLOR is set; `--color always|never` decides outright.
    static func colors(_ handle: FileHandle) -> Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto: return isatty(handle.fileDescriptor) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        }
    }

    static func paint(_ s: String, _ h: CheckReport.Highlight) -> String {
        guard colors(FileHandle.standardOutput) else { return s }
        switch h {
        case .good: return "\u{1B}[32m\(s)\u{1B}[0m"
        case .bad: return "\u{1B}[31m\(s)\u{1B}[0m"
        case .heading: return "\u{1B}[1m\(s)\u{1B}[0m"
        }
    }

    static let number = "0.6.0"
    /// The version, and the commit of the source tree it was built from (read from git
    /// there, when the tree is still at hand).
    static var version: String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let commit = (try? ProcessRunner().run(Command("git", ["-C", source, "rev-parse", "--short", "HEAD"])))
            .flatMap { $0.succeeded ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
        return "vboxlab \(number) (commit \(commit ?? "unknown: the source tree is not at hand"))"
    }
}
