import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

@Suite struct ArgumentParserTests {
    static let check = CommandSpec(
        name: "check", summary: "Ping every pair.", arguments: ["LAB"],
        options: [json, pair, strategy, dryRun],
        discussion: "LAB is a name or a path.")
    static let json = OptionSpec("json", help: "Print JSON.")
    static let pair = OptionSpec("pair", value: "A B", help: "Trace one pair.")
    static let strategy = OptionSpec("strategy", value: "S", help: "Override the strategy.")
    static let dryRun = OptionSpec("dry-run", help: "Change nothing.")
    static let sshSetup = CommandSpec(
        name: "ssh-setup", summary: "Push setup.", arguments: ["VM", "LAB?"],
        options: [OptionSpec("lab", value: "LAB", help: "The lab.")])

    static let usage =
        "USAGE: vboxlab check LAB [--json] [--pair A B] [--strategy S] [--dry-run]\n  See 'vboxlab check --help' for "
        + "more information."

    func parse(_ argv: [String], _ command: CommandSpec = check) throws(VBoxLabError) -> ParsedArguments {
        try ArgumentParser.parse(argv, for: command)
    }

    func expectUsage(
        _ argv: [String], _ message: String, _ command: CommandSpec = check,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let parsed = try parse(argv, command)
            Issue.record("\(argv) parsed as \(parsed); expected: \(message)", sourceLocation: sourceLocation)
        } catch {
            guard case .usage(let got, let usage) = error else {
                Issue.record("wrong error \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(got == message, sourceLocation: sourceLocation)
            #expect(
                usage == "USAGE: \(command.usageLine)\n  See 'vboxlab \(command.name) --help' for more information.",
                sourceLocation: sourceLocation)
            #expect(error.exitCode == 2, sourceLocation: sourceLocation)
        }
    }

    @Test func optionWithSeparateValue() throws {
        let p = try parse(["lab1", "--strategy", "promisc"])
        #expect(
            p == ParsedArguments(positionals: ["lab1"], values: ["strategy": "promisc"], flags: [], wantsHelp: false))
        #expect(p.value(Self.strategy) == "promisc" && p.value(Self.pair) == nil)
    }

    @Test func optionWithInlineValue() throws {
        let p = try parse(["--strategy=mac-swap", "lab1"])
        #expect(p.positionals == ["lab1"] && p.values == ["strategy": "mac-swap"])
        // Only the first '=' splits; an empty inline value is a value.
        #expect(try parse(["lab1", "--strategy=a=b"]).value(Self.strategy) == "a=b")
        #expect(try parse(["lab1", "--strategy="]).value(Self.strategy) == "")
    }

    @Test func optionValueMayStartWithOneDash() throws {
        #expect(try parse(["lab1", "--strategy", "-x"]).value(Self.strategy) == "-x")
    }

    @Test func laterOptionOverridesEarlier() throws {
        #expect(try parse(["lab1", "--strategy", "auto", "--strategy=none"]).value(Self.strategy) == "none")
    }

    @Test func flags() throws {
        let p = try parse(["--json", "lab1", "--dry-run"])
        #expect(p.flags == ["json", "dry-run"] && p.flag(Self.json) && p.flag(Self.dryRun) && !p.flag(Self.pair))
        #expect(p.positionals == ["lab1"] && p.values.isEmpty)
        #expect(try parse(["lab1"]).flags.isEmpty)
    }

    @Test func flagWithValueIsAnError() {
        expectUsage(["lab1", "--json=yes"], "'--json' takes no value")
    }

    @Test func doubleDashEndsOptions() throws {
        let p = try parse(["--", "--json"])
        #expect(p.positionals == ["--json"] && p.flags.isEmpty && !p.wantsHelp)
        let q = try parse(["--json", "--", "-lab"])
        #expect(q.positionals == ["-lab"] && q.flags == ["json"])
        #expect(try parse(["--", "--help"]).positionals == ["--help"])
    }

    @Test func singleDashIsPositional() throws {
        #expect(try parse(["-"]).positionals == ["-"])
    }

    @Test func helpSkipsArgumentChecks() throws {
        for argv in [["--help"], ["-h"], ["lab1", "extra", "more", "--help"], ["--json", "-h"]] {
            let p = try parse(argv)
            #expect(p.wantsHelp, "\(argv)")
        }
    }

    @Test func helpText() {
        #expect(
            Self.check.help == """
                OVERVIEW: Ping every pair.

                USAGE: vboxlab check LAB [--json] [--pair A B] [--strategy S] [--dry-run]

                LAB is a name or a path.

                OPTIONS:
                  --json        Print JSON.
                  --pair A B    Trace one pair.
                  --strategy S  Override the strategy.
                  --dry-run     Change nothing.
                  --help        Show help information.
                """)
        #expect(Self.sshSetup.usageLine == "vboxlab ssh-setup VM [LAB] [--lab LAB]")
    }

    @Test func unknownOptionWithSuggestion() {
        expectUsage(["lab1", "--jsn"], "unknown option '--jsn'; did you mean '--json'?")
        expectUsage(["lab1", "--strategie=auto"], "unknown option '--strategie'; did you mean '--strategy'?")
        expectUsage(["lab1", "--dryrun"], "unknown option '--dryrun'; did you mean '--dry-run'?")
    }

    @Test func unknownOptionWithoutSuggestion() {
        expectUsage(["lab1", "--verbose"], "unknown option '--verbose'")
        expectUsage(["lab1", "-v"], "unknown option '-v'")
    }

    @Test func unknownOptionErrorExplanation() {
        do {
            _ = try parse(["lab1", "--jsn"])
            Issue.record("must fail")
        } catch {
            #expect(error.explanation == "error: unknown option '--jsn'; did you mean '--json'?\n\n\(Self.usage)")
        }
    }

    @Test func missingValue() {
        expectUsage(["lab1", "--strategy"], "missing value for '--strategy S'")
        expectUsage(["lab1", "--strategy", "--json"], "missing value for '--strategy S'")
        expectUsage(["lab1", "--pair", "a"], "missing value for '--pair A B'")
        expectUsage(["lab1", "--pair", "a", "--json"], "missing value for '--pair A B'")
    }

    @Test func twoWordValue() throws {
        let p = try parse(["lab1", "--pair", "centos-1", "centos-3", "--json"])
        #expect(
            p
                == ParsedArguments(
                    positionals: ["lab1"], values: ["pair": "centos-1 centos-3"], flags: ["json"], wantsHelp: false))
        let q = try parse(["--pair", "1.1.1.10", "1.1.1.20", "lab1"])
        #expect(q.positionals == ["lab1"] && q.value(Self.pair) == "1.1.1.10 1.1.1.20")
    }

    @Test func missingPositional() {
        expectUsage([], "missing argument LAB")
        expectUsage(["--json"], "missing argument LAB")
        expectUsage(["--lab", "l"], "missing argument VM", Self.sshSetup)
    }

    @Test func optionalPositional() throws {
        #expect(try parse(["vm1"], Self.sshSetup).positionals == ["vm1"])
        #expect(try parse(["vm1", "lab1"], Self.sshSetup).positionals == ["vm1", "lab1"])
        expectUsage(["vm1", "lab1", "x"], "unexpected argument 'x'", Self.sshSetup)
    }

    @Test func unexpectedPositional() {
        expectUsage(["lab1", "lab2"], "unexpected argument 'lab2'")
        expectUsage(["lab1", "--", "--json"], "unexpected argument '--json'")
    }
}
