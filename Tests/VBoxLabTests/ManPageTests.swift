import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// `man vboxlab` and `vboxlab help` come from the same declarations; these tests read the page
/// as man-db renders it and find every piece of every command's help in it, so the two can
/// never disagree.
@Suite(.enabled(if: ToolGate.has("man", "col"), "needs man-db (VBOXLAB_REQUIRE_TOOLS=1 makes it run)"))
struct ManPageTests {
    /// The page as a reader sees it, with white space made single (man fills lines anew).
    static func rendered() throws -> String {
        let roff = try CLI.run(["man-page"])
        #expect(roff.status == 0 && roff.stdout.hasPrefix(".\\\" Made by `vboxlab man-page`"), "\(roff.stderr)")
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("vboxlab.1").path
        try roff.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try ProcessRunner().run(
            Command(
                "sh", ["-c", "man -l \"$1\" | col -b", "sh", file],
                environment: ["MANWIDTH": "100", "LANG": "C.UTF-8", "MANROFFSEQ": ""]))
        #expect(r.status == 0, "\(r.stderr)")
        return normalized(r.stdout)
    }

    static func normalized(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }

    /// The pieces of a help text: each line cut at its column gaps, headers dropped.
    static func pieces(_ help: String) -> [String] {
        help.split(separator: "\n").flatMap { line -> [String] in
            var text = String(line)
            for header in ["OVERVIEW: ", "USAGE: "] where text.hasPrefix(header) {
                text = String(text.dropFirst(header.count))
            }
            if text == "OPTIONS:" { return [] }
            return text.components(separatedBy: "  ").map { normalized($0) }.filter { !$0.isEmpty }
        }
    }

    @Test func everyCommandsHelpIsInThePage() throws {
        let page = try Self.rendered()
        let names = try CLI.run(["__complete", ""]).stdout
        #expect(names.contains("create"))
        for command in [
            "validate", "plan", "create", "fix-macs", "ssh-setup", "ssh", "check", "status", "list", "destroy",
            "prune-bases", "graph",
        ] {
            let help = try CLI.run(["help", command])
            #expect(help.status == 0, "\(command): \(help.stderr)")
            for piece in Self.pieces(help.stdout) {
                #expect(page.contains(piece), "man vboxlab lacks, for \(command): \(piece)")
            }
        }
    }

    /// The overview's options, providers and variables are there too, and the page has the
    /// sections a man page reader looks for.
    @Test func overviewSectionsAreInThePage() throws {
        let page = try Self.rendered()
        let overview = try CLI.run(["--help"]).stdout
        let start = try #require(overview.range(of: "GLOBAL OPTIONS:"))
        for piece in Self.pieces(String(overview[start.upperBound...]))
        where !piece.hasSuffix(":") && !piece.hasPrefix("PROVIDERS (") {
            #expect(page.contains(piece), "man vboxlab lacks: \(piece)")
        }
        for section in [
            "NAME vboxlab - builds VirtualBox labs", "SYNOPSIS vboxlab [GLOBAL OPTIONS] COMMAND", "DESCRIPTION",
            "COMMANDS", "ENVIRONMENT", "FILES", "EXIT STATUS 0 success 1 the lab does not work", "EXAMPLES",
            "vboxlab create bridge-lab", "vboxlab fix-macs bridge-lab", "vboxlab ssh-setup centos-2",
            "vboxlab check bridge-lab", "SEE ALSO",
        ] {
            #expect(page.contains(section), "man vboxlab lacks: \(section)")
        }
    }

    /// Roff control characters in help text are escaped: no line of the page begins with a
    /// quote or dot that is not a macro, and backslashes in text come out as typed.
    @Test func textIsEscapedForRoff() throws {
        let roff = try CLI.run(["man-page"]).stdout
        let macros: Set<String> = [".TH", ".SH", ".SS", ".PP", ".TP", ".IP", ".B", ".nh", ".ad", ".\\\""]
        for line in roff.split(separator: "\n") where line.hasPrefix(".") || line.hasPrefix("'") {
            let word = String(line.split(separator: " ")[0])
            #expect(macros.contains(word), "not a macro: \(line)")
        }
        // Every hyphen is a minus, so options paste as typed; none is left bare in text.
        #expect(roff.contains("\\-\\-dry\\-run") && !roff.contains(" --dry-run"))
        #expect(try CLI.run(["man-page", "extra"]).status == 2)
    }
}
