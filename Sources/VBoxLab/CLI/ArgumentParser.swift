import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// A hand-written argument parser that behaves like the Swift ecosystem's usual one:
/// `--opt value` and `--opt=value`, flags, `--` ends options, `-h`/`--help`, and an
/// unknown option is a usage error with a "did you mean".
public struct OptionSpec: Sendable {
    public var name: String
    /// nil for a flag; the placeholder shown in help for an option with a value.
    public var valueName: String?
    public var help: String
    /// The values an enumerated option takes, and the noun for one ("strategy"): checked by
    /// the parser, listed in help and offered by completion, from one list.
    public var choices: (noun: String, values: [String])?
    /// A one-letter form (`-w` for `--write`), where the tool it echoes has one (tcpdump).
    public var short: Character?

    public init(_ name: String, value: String? = nil, short: Character? = nil, help: String) {
        self.name = name
        self.valueName = value
        self.short = short
        self.help = help
    }

    /// An option that takes one of `values`.
    public init(_ name: String, choosing noun: String, from values: [String], help: String) {
        self.name = name
        valueName = noun.uppercased()
        self.help = help + " One of: \(values.joined(separator: ", "))."
        choices = (noun, values)
    }
}

public struct CommandSpec: Sendable {
    public var name: String
    public var summary: String
    /// Positional arguments in order; a trailing "?" marks one as optional, a trailing
    /// "..." a last one that takes every remaining word (the command after `--`).
    public var arguments: [String]
    public var options: [OptionSpec]
    public var discussion: String
    /// Other words for the command (as containerlab and Vagrant users type them).
    public var aliases: [String]
    /// Removes things: never offered as a "did you mean" for an unknown word.
    public var isDestructive: Bool

    public init(
        name: String, summary: String, arguments: [String], options: [OptionSpec], discussion: String = "",
        aliases: [String] = [], isDestructive: Bool = false
    ) {
        self.name = name
        self.summary = summary
        self.arguments = arguments
        self.options = options
        self.discussion = discussion
        self.aliases = aliases
        self.isDestructive = isDestructive
    }

    /// The usage error of this command: the message, and its usage line.
    public func usageError(_ message: String) -> VBoxLabError {
        .usage(message: message, usage: "USAGE: \(usageLine)\n  See 'vboxlab \(name) --help' for more information.")
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
    /// How many positionals came before `--`, when it was given: `exec [LAB] -- COMMAND...`
    /// tells its optional lab from the command's words by it.
    public var beforeDashes: Int? = nil
    /// The options the command declares: reading any other name is a bug in the command (a
    /// misspelt key would silently read as absent), so it stops the program at once.
    var declared: Set<String>? = nil

    /// An option's value, read by the option's own declaration: no name is typed twice.
    public func value(_ option: OptionSpec) -> String? {
        checkDeclared(option.name)
        return values[option.name]
    }
    public func flag(_ option: OptionSpec) -> Bool {
        checkDeclared(option.name)
        return flags.contains(option.name)
    }

    private func checkDeclared(_ name: String) {
        if let declared {
            precondition(declared.contains(name), "the command reads --\(name), which it does not declare")
        }
    }

    public static func == (a: ParsedArguments, b: ParsedArguments) -> Bool {
        a.positionals == b.positionals && a.values == b.values && a.flags == b.flags && a.wantsHelp == b.wantsHelp
            && a.beforeDashes == b.beforeDashes
    }
}

public enum ArgumentParser {
    public static func parse(_ argv: [String], for command: CommandSpec) throws(VBoxLabError) -> ParsedArguments {
        var out = ParsedArguments()
        out.declared = Set(command.options.map(\.name))
        var i = 0
        var optionsEnded = false
        func usage(_ message: String) -> VBoxLabError { command.usageError(message) }
        while i < argv.count {
            let arg = longForm(argv[i], command)
            i += 1
            if optionsEnded || !arg.hasPrefix("-") || arg == "-" {
                out.positionals.append(arg)
                continue
            }
            if arg == "--" {
                (optionsEnded, out.beforeDashes) = (true, out.positionals.count)
                continue
            }
            if arg == "-h" || arg == "--help" {
                out.wantsHelp = true
                continue
            }
            guard arg.hasPrefix("--") else { throw usage("unknown option '\(arg)'") }
            let body = arg.dropFirst(2)
            let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let inline = parts.count > 1 ? String(parts[1]) : nil
            guard let option = command.options.first(where: { $0.name == name }) else {
                var message = "unknown option '--\(name)'"
                if let near = suggestion(for: name, among: command.options.map(\.name)) {
                    message += "; did you mean '--\(near)'?"
                }
                throw usage(message)
            }
            if option.valueName != nil {
                if let inline {
                    out.values[name] = try checked(inline, option, usage)
                    continue
                }
                // A value name of several words ("A B") takes that many arguments.
                let arity = option.valueName!.split(separator: " ").count
                guard i + arity <= argv.count, !argv[i..<(i + arity)].contains(where: { $0.hasPrefix("--") }) else {
                    throw usage("missing value for '--\(name) \(option.valueName!)'")
                }
                out.values[name] = try checked(argv[i..<(i + arity)].joined(separator: " "), option, usage)
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

    /// `-w` as the option whose one-letter form it is (`--write`); any other word as it is.
    static func longForm(_ arg: String, _ command: CommandSpec) -> String {
        guard !arg.hasPrefix("--"), arg.count == 2, let option = command.options.first(where: { $0.short == arg.last })
        else { return arg }
        return "--" + option.name
    }

    /// An enumerated option's value, checked against its choices.
    static func checked(_ value: String, _ option: OptionSpec, _ usage: (String) -> VBoxLabError) throws(VBoxLabError)
        -> String
    {
        guard let (noun, values) = option.choices, !values.contains(value) else { return value }
        throw usage(notAChoice(value, noun: noun, values: values))
    }
}

extension ParsedArguments {
    /// An enumerated option's value as its type (the parser has checked it is one).
    public func choice<T: RawRepresentable>(_ option: OptionSpec, as: T.Type = T.self) -> T?
    where T.RawValue == String {
        value(option).flatMap(T.init(rawValue:))
    }
}
