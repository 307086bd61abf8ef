import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Command-line conventions, through the executable: version, help, aliases, quiet.
@Suite struct CLITests {
    @Test func versionNamesTheSourceCommit() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0 && r.stdout.hasPrefix("vboxlab 0.6.0 (commit "), "\(r.stdout)")
        let head = try ProcessRunner().run(Command("git", ["-C", packageRoot, "rev-parse", "--short", "HEAD"])).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if !head.isEmpty { #expect(r.stdout == "vboxlab 0.6.0 (commit \(head))\n") }
    }

    @Test func helpCommandAndAliases() throws {
        let help = try CLI.run(["help", "create"])
        let createHelp = try CLI.run(["create", "--help"]).stdout
        let destroyHelp = try CLI.run(["destroy", "--help"]).stdout
        #expect(help.status == 0 && help.stdout == createHelp)
        #expect(try CLI.run(["up", "--help"]).stdout == help.stdout)
        #expect(try CLI.run(["deploy", "--help"]).stdout == help.stdout)
        #expect(try CLI.run(["down", "--help"]).stdout == destroyHelp)
        let unknown = try CLI.run(["help", "nothing"])
        #expect(unknown.status == 2 && unknown.stderr.hasPrefix("error: no command 'nothing' to help with"))
    }

    /// The overview: every command's name stands apart from its summary, and each variable
    /// says the default the code uses.
    @Test func toolGateHoldsWhereRequired() {
        if ToolGate.required {
            for tool in ["bash", "zsh", "fish", "dot", "man", "col"] {
                #expect(ProcessRunner.resolve(tool) != nil, "VBOXLAB_REQUIRE_TOOLS=1 but \(tool) is missing")
            }
            #expect(ToolGate.jsonSchemaPython != nil, "VBOXLAB_REQUIRE_TOOLS=1 but no python3 has jsonschema")
        }
    }

    @Test func overviewColumnsAndVariables() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "COMMANDS:"))
        let commands = lines[(start + 1)...].prefix { !$0.isEmpty }
        #expect(commands.count >= 12)
        for line in commands {
            #expect(line.range(of: #"^  [a-z-]+  +[A-Z]"#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(commands.contains { $0.hasPrefix("  prune-bases  Delete") })
        #expect(
            r.stdout.contains(
                "VBOXLAB_SSH_WAIT    seconds create waits for a guest's ssh to answer (default 180, and 60 s more for "
                    + "each VM booting under software emulation beyond the host's cores)\n"),
            "\(r.stdout)")
    }

    /// A variable that cannot mean anything is refused before any lab is looked up.
    @Test func badVariablesAreUsageErrors() throws {
        let wait = try CLI.run(["plan", "no-such-lab"], env: ["VBOXLAB_SSH_WAIT": "3m"])
        #expect(
            wait.status == 2
                && wait.stderr.hasPrefix("error: VBOXLAB_SSH_WAIT=3m is not a number of seconds above 0\n"),
            "\(wait.stderr)")
        let provider = try CLI.run(["plan", "no-such-lab"], env: ["VBOXLAB_PROVIDER": "nets"])
        #expect(
            provider.status == 2
                && provider.stderr.hasPrefix(
                    "error: VBOXLAB_PROVIDER=nets: 'nets' is not a provider (valid: virtualbox, netns, qemu); did "
                        + "you mean 'netns'?\n"
                ), "\(provider.stderr)")
        #expect(try CLI.run(["plan", "bridge-lab"], env: ["VBOXLAB_SSH_WAIT": "600"]).status == 0)
    }

    /// A typo never leads to a command that removes things.
    @Test func noDestructiveSuggestion() throws {
        for word in ["destory", "destro", "prune-base", "dwon"] {
            let r = try CLI.run([word])
            #expect(r.status == 2 && r.stderr.hasPrefix("error: unknown command '\(word)'\n"), "\(word): \(r.stderr)")
        }
        #expect(try CLI.run(["valdate"]).stderr.hasPrefix("error: unknown command 'valdate'; did you mean 'validate'?"))
    }

    /// -q leaves stdout as it is and stderr without progress lines.
    @Test func quietDropsProgress() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try String(contentsOfFile: "\(packageRoot)/labs/hub-lab.json5", encoding: .utf8)
            .replacingOccurrences(of: "name: \"hub-lab\"", with: "name: \"vq-hub\"")
        try spec.write(toFile: dir.appendingPathComponent("vq-hub.json5").path, atomically: true, encoding: .utf8)
        let loud = try CLI.run(["create", "vq-hub", "--provider", "netns", "--dry-run"], cwd: dir.path)
        let quiet = try CLI.run(["-q", "create", "vq-hub", "--provider", "netns", "--dry-run"], cwd: dir.path)
        #expect(loud.stderr.contains("vboxlab: creating 5 namespaces"))
        #expect(quiet.status == 0 && quiet.stderr == "" && quiet.stdout == loud.stdout)
    }

    /// The plan for people: a header, then a legend of keep, register, deny and allow-vms.
    @Test func planHasHeaderAndLegend() throws {
        let r = try CLI.run(["plan", "bridge-lab"])
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1].hasPrefix("VM        slot    network   policy  registered in VirtualBox, and in the guest"))
        #expect(
            r.stdout.hasSuffix(
                "deny: the NIC receives only\nframes for its registered MAC; allow-vms: every frame on its internal "
                    + "network (promiscuous).\n"
            ))
    }

    /// Colour only where asked or on a terminal: --color always|never|auto, and NO_COLOR.
    @Test func colourOnlyWhenAsked() throws {
        let always = try CLI.run(["--color", "always", "validate", "no-such-lab"])
        #expect(
            always.status == 2 && always.stderr.hasPrefix("\u{1B}[31merror:\u{1B}[0m no lab named 'no-such-lab'"),
            "\(always.stderr)")
        let never = try CLI.run(["--color=never", "validate", "no-such-lab"])
        #expect(never.stderr.hasPrefix("error: no lab named"))
        let auto = try CLI.run(["validate", "no-such-lab"], env: ["NO_COLOR": ""])
        #expect(!auto.stderr.contains("\u{1B}"), "a pipe is no terminal")
        let bad = try CLI.run(["--color", "sometimes", "plan"])
        #expect(
            bad.status == 2
                && bad.stderr.hasPrefix("error: 'sometimes' is not a colour setting (valid: auto, always, never)"))
    }

    /// Control bytes in a spec never reach the terminal raw.
    @Test func controlBytesInASpecAreEscapedOnTheTerminal() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try
            ("{ name: \"esc\", vms: [ { name: \"a\\u001b[31mred\", nics: [ { network: \"n\", ip: \"10.0.0.1/24\" } ] "
            + "} ] }")
            .write(toFile: dir.appendingPathComponent("esc.json5").path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["validate", "esc.json5"], cwd: dir.path)
        #expect(r.status == 2)
        #expect(
            !r.stderr.unicodeScalars.contains { $0.value == 0x1B } && r.stderr.contains("\\u{1B}[31mred"), "\(r.stderr)"
        )
    }

    /// `--pair` with one end, an empty value, or empty ends: a usage error before any ping
    /// (the lab is never created: the error comes first).
    @Test func badPairIsAUsageErrorBeforeAnyPing() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try String(contentsOfFile: "\(packageRoot)/labs/bridge-lab.json5", encoding: .utf8)
            .replacingOccurrences(of: "name: \"bridge-lab\"", with: "name: \"vt-pair\"")
        try spec.write(toFile: dir.appendingPathComponent("vt-pair.json5").path, atomically: true, encoding: .utf8)
        for args in [["--pair=centos-1"], ["--pair="], ["--pair", "", ""]] {
            let r = try CLI.run(["check", "vt-pair", "--provider", "netns"] + args, cwd: dir.path)
            #expect(
                r.status == 2
                    && r.stderr.hasPrefix("error: --pair takes two endpoints, VM names or addresses: --pair A B\n"),
                "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("pinging"))
        }
        let wrong = try CLI.run(
            ["check", "vt-pair", "--provider", "netns", "--pair", "centos-1", "nobody"], cwd: dir.path)
        #expect(
            wrong.status == 2
                && wrong.stderr.hasPrefix(
                    "error: no pair from centos-1 to nobody in lab vt-pair; its endpoints are centos-1 (1.1.1.10), "
                        + "centos-3 (1.1.1.20)\n"
                ), "\(wrong.stderr)")
    }
}

/// The README's first command, pasted on a fresh machine, installs vboxlab and then runs the
/// seed lab through the installed binary (InstallTests installs with the same script).
@Test func readmeFirstCommandInstallsThenCreatesTheSeed() throws {
    let readme = try String(contentsOfFile: "\(packageRoot)/README.md", encoding: .utf8)
    let first = try #require(readme.components(separatedBy: "```sh\n").dropFirst().first?.split(separator: "\n").first)
    let steps = first.components(separatedBy: " && ")
    #expect(
        steps.first?.hasPrefix("apt-get update") == true && steps.contains("scripts/install")
            && steps.last == "vboxlab create bridge-lab", "\(first)")
    #expect(FileManager.default.isExecutableFile(atPath: "\(packageRoot)/scripts/install"))
}

/// The README's test command is exactly the one .ci/run runs, and it lets no gated suite skip.
@Test func readmeTestCommandIsWhatCIRuns() throws {
    let ci = try String(contentsOfFile: "\(packageRoot)/.ci/run", encoding: .utf8).split(separator: "\n").filter {
        $0.contains("swift test") && !$0.hasPrefix("#")
    }
    let readme = try String(contentsOfFile: "\(packageRoot)/README.md", encoding: .utf8).split(separator: "\n").filter {
        $0.contains("swift test") && $0.contains("VBOXLAB_REQUIRE_")
    }
    #expect(ci.count == 1 && readme == ci, "README: \(readme)\n.ci/run: \(ci)")
    for gate in [
        "VBOXLAB_REQUIRE_NETNS=1", "VBOXLAB_REQUIRE_VIRTUALBOX=1", "VBOXLAB_REQUIRE_SSH=1", "VBOXLAB_REQUIRE_QEMU=1",
        "VBOXLAB_REQUIRE_PACKAGE=1",
        "VBOXLAB_REQUIRE_TOOLS=1",
    ] {
        #expect(ci.first?.contains(gate) == true, ".ci/run does not set \(gate)")
    }
}
