/// A hand-written argument parser that behaves like the Swift ecosystem's usual one:
/// `--opt value` and `--opt=value`, flags, `--` ends options, `-h`/`--help`, and an
/// unknown option is a usage error with a "did you mean".
public struct OptionSpec: Sendable {
    public var name: String
    /// nil for a flag; the placeholder shown in help for an option with a value.
    public var valueName: String?
    public var help: String
    public init(_ name: String, value: String? = nil, help: String) { self.name = name; self.valueName = value; self.help = help }
}

public struct CommandSpec: Sendable {
    public var name: String
    public var summary: String
    /// Positional arguments in order; a trailing "?" marks one as optional, a trailing
    /// "..." a last one that takes every remaining word (the command after `--`).
    public var arguments: [String]
    public var options: [OptionSpec]
    public var discussion: String

    public init(name: String, summary: String, arguments: [String], options: [OptionSpec], discussion: String = "") {
        self.name = name; self.summary = summary; self.arguments = arguments; self.options = options; self.discussion = discussion
    }

    public var usageLine: String {
        let args = arguments.map { $0.hasSuffix("?") ? "[\($0.dropLast())]" : $0.hasSuffix("...") ? "[-- \($0)]" : $0 }
        let opts = options.map { o in o.valueName.map { "[--\(o.name) \($0)]" } ?? "[--\(o.name)]" }
        return (["vboxlab", name] + args + opts).joined(separator: " ")
    }

    public var help: String {
        var lines = ["OVERVIEW: \(summary)", "", "USAGE: \(usageLine)"]
        if !discussion.isEmpty { lines += ["", discussion] }
        lines += ["", "OPTIONS:"]
        let all = options + [OptionSpec("help", help: "Show help information.")]
        let rows = all.map { o in ["  --\(o.name)" + (o.valueName.map { " \($0)" } ?? ""), o.help] }
        lines += TextTable.render(rows)
        return lines.joined(separator: "\n")
    }
}

public struct ParsedArguments: Sendable, Equatable {
    public var positionals: [String] = []
    public var values: [String: String] = [:]
    public var flags: Set<String> = []
    public var wantsHelp = false

    public func value(_ name: String) -> String? { values[name] }
    public func flag(_ name: String) -> Bool { flags.contains(name) }
}

public enum ArgumentParser {
    public static func parse(_ argv: [String], for command: CommandSpec) throws(VBoxLabError) -> ParsedArguments {
        var out = ParsedArguments()
        var i = 0, optionsEnded = false
        func usage(_ message: String) -> VBoxLabError { .usage(message: message, usage: "USAGE: \(command.usageLine)\n  See 'vboxlab \(command.name) --help' for more information.") }
        while i < argv.count {
            let arg = argv[i]
            i += 1
            if optionsEnded || !arg.hasPrefix("-") || arg == "-" { out.positionals.append(arg); continue }
            if arg == "--" { optionsEnded = true; continue }
            if arg == "-h" || arg == "--help" { out.wantsHelp = true; continue }
            guard arg.hasPrefix("--") else { throw usage("unknown option '\(arg)'") }
            let body = arg.dropFirst(2)
            let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let inline = parts.count > 1 ? String(parts[1]) : nil
            guard let option = command.options.first(where: { $0.name == name }) else {
                var message = "unknown option '--\(name)'"
                if let near = suggestion(for: name, among: command.options.map(\.name)) { message += "; did you mean '--\(near)'?" }
                throw usage(message)
            }
            if option.valueName != nil {
                if let inline { out.values[name] = inline; continue }
                // A value name of several words ("A B") takes that many arguments.
                let arity = option.valueName!.split(separator: " ").count
                guard i + arity <= argv.count, !argv[i..<(i + arity)].contains(where: { $0.hasPrefix("--") }) else {
                    throw usage("missing value for '--\(name) \(option.valueName!)'")
                }
                out.values[name] = argv[i..<(i + arity)].joined(separator: " ")
                i += arity
            } else {
                if inline != nil { throw usage("'--\(name)' takes no value") }
                out.flags.insert(name)
            }
        }
        if out.wantsHelp { return out }
        let required = command.arguments.filter { !$0.hasSuffix("?") && !$0.hasSuffix("...") }
        if out.positionals.count < required.count {
            throw usage("missing argument \(required[out.positionals.count])")
        }
        if out.positionals.count > command.arguments.count && command.arguments.last?.hasSuffix("...") != true {
            throw usage("unexpected argument '\(out.positionals[command.arguments.count])'")
        }
        return out
    }
}
