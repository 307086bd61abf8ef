import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// `scripts/install PREFIX` as the README's first command runs it, into a temporary prefix,
/// then the installed binary as a person uses it: from a directory outside the source tree,
/// through the completion files the shells load. The test installs the debug build `swift
/// test` has made (`VBOXLAB_INSTALL_BINARY`): a release build would take minutes of CI.
@Suite(.serialized) struct InstallTests {
    final class Prefix {
        let root: String, elsewhere: String
        init() throws {
            root = try CLI.tempDir().path
            elsewhere = try CLI.tempDir().path
        }
        deinit { for d in [root, elsewhere] { try? FileManager.default.removeItem(atPath: d) } }
        var binary: String { "\(root)/bin/vboxlab" }
        var env: [String: String] {
            [
                "PATH": "\(root)/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": elsewhere,
                "XDG_STATE_HOME": "\(elsewhere)/.state",
                "XDG_RUNTIME_DIR": "\(elsewhere)/.run", "VBOXLAB_HOME": "", "SWIFT_BACKTRACE": "enable=no",
            ]
        }

        /// Runs a program in the directory outside the tree, with the installed vboxlab on PATH.
        func run(_ program: String, _ args: [String]) throws -> CommandResult {
            try ProcessRunner().run(
                Command("/usr/bin/env", ["-C", elsewhere, program] + args, environment: env, timeout: 60))
        }
    }

    static func install(into prefix: Prefix) throws -> CommandResult {
        let binary = try #require(CLI.executable, "no built vboxlab")
        return try ProcessRunner().run(
            Command(
                "\(packageRoot)/scripts/install", [prefix.root],
                environment: ["VBOXLAB_INSTALL_BINARY": binary], timeout: 120))
    }

    @Test func installedBinaryWorksFromAnyDirectory() throws {
        let prefix = try Prefix()
        let installed = try Self.install(into: prefix)
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stderr.contains("installed vboxlab 0.6.0 (commit "), "\(installed.stderr)")

        // --version: the commit the install stamped, as git names it in the tree.
        let head = try ProcessRunner().run(Command("git", ["-C", packageRoot, "rev-parse", "--short", "HEAD"])).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let version = try prefix.run("vboxlab", ["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("vboxlab 0.6.0 (commit \(head)"), "\(version.stdout)")
        #expect(!version.stdout.contains("unknown"), "\(version.stdout)")

        // A bundled lab by name, from a directory with no spec: the installed labs.
        let validate = try prefix.run("vboxlab", ["validate", "bridge-lab"])
        #expect(validate.status == 0 && validate.stderr.isEmpty, "\(validate.stderr)")
        let plan = try prefix.run("vboxlab", ["plan", "bridge-lab", "--json"])
        #expect(plan.status == 0 && plan.stdout.hasPrefix("{\"lab\":\"bridge-lab\""), "\(plan.stdout)\(plan.stderr)")
        let typo = try prefix.run("vboxlab", ["validate", "bridge-lb"])
        #expect(
            typo.status == 2 && typo.stderr.contains("\(prefix.root)/share/vboxlab/labs/bridge-lb.json5")
                && typo.stderr.contains("did you mean 'bridge-lab'?"), "\(typo.stderr)")
        // A symbolic link to the binary (as a user's ~/bin might hold) finds them too.
        let link = "\(prefix.elsewhere)/vboxlab-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: prefix.binary)
        #expect(try prefix.run(link, ["validate", "hub-lab"]).status == 0)

        // The man page, where man finds it for this prefix.
        let man = try prefix.run("man", ["-w", "-M", "\(prefix.root)/share/man", "vboxlab"])
        #expect(
            man.status == 0 && man.stdout == "\(prefix.root)/share/man/man1/vboxlab.1\n", "\(man.stdout)\(man.stderr)")

        // Installing again replaces what is there and succeeds.
        #expect(try Self.install(into: prefix).status == 0)
    }

    @Test func completionFilesLoadWhereTheShellsLook() throws {
        let prefix = try Prefix()
        #expect(try Self.install(into: prefix).status == 0)
        let share = "\(prefix.root)/share"
        let bashFile = "\(share)/bash-completion/completions/vboxlab"
        for file in [
            bashFile, "\(share)/zsh/site-functions/_vboxlab", "\(share)/fish/vendor_completions.d/vboxlab.fish",
        ] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) is missing")
        }
        // bash: the file bash-completion would load, then a Tab after `create bri`: the installed labs.
        let bash = try prefix.run(
            "bash",
            [
                "-c",
                "source \(shellQuote(bashFile)) && complete -p vboxlab && COMP_WORDS=(vboxlab create bri) "
                    + "COMP_CWORD=2 && _vboxlab && printf '%s\\n' \"${COMPREPLY[@]}\"",
            ])
        #expect(bash.status == 0 && bash.stdout.contains("complete -F _vboxlab vboxlab"), "\(bash.stderr)")
        #expect(bash.stdout.contains("bridge-lab\n") && bash.stdout.contains("bridge-address-lab\n"), "\(bash.stdout)")
        // zsh: found on fpath by compinit, as site-functions is.
        let zsh = try prefix.run(
            "zsh",
            [
                "-f", "-c",
                "fpath=(\(shellQuote("\(share)/zsh/site-functions")) $fpath); autoload -U compinit && compinit -u -D "
                    + "&& print -r -- $_comps[vboxlab]",
            ])
        #expect(zsh.status == 0 && zsh.stdout == "_vboxlab\n", "\(zsh.stdout)\(zsh.stderr)")
        // fish: from its vendor directory, and it completes.
        let fish = try prefix.run(
            "fish",
            [
                "-c",
                "set -p fish_complete_path \(shellQuote("\(share)/fish/vendor_completions.d")); complete -C 'vboxlab "
                    + "ssh-setup --lab bridge-lab centos-'",
            ])
        #expect(fish.status == 0 && fish.stdout.contains("centos-2"), "\(fish.stdout)\(fish.stderr)")
    }

    @Test func badOptionIsRefused() throws {
        let r = try ProcessRunner().run(Command("\(packageRoot)/scripts/install", ["--bogus"]))
        #expect(r.status == 2 && r.stderr.contains("unknown option '--bogus'"), "\(r.stderr)")
    }
}
