import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Completion as a person meets it: each shell loads the script `vboxlab completion SHELL`
/// prints and completes a typed line, with the built vboxlab on PATH (bash, zsh and fish are
/// installed by .ci/run). bash runs its completion function as `complete -F` would; fish
/// answers `complete -C`; zsh runs interactively in a pseudo-terminal (zpty) and gets a real
/// Tab, so its completion system, not a stand-in, decides what is shown.
@Suite(
    .enabled(if: ToolGate.has("bash", "zsh", "fish"), "needs bash, zsh and fish (VBOXLAB_REQUIRE_TOOLS=1 makes it run)")
)
struct CompletionTests {
    static let shells = ["bash", "zsh", "fish"]

    /// A directory with one lab spec (the seed, renamed) and its own empty state, so the
    /// lab at hand is that one and no lab recorded on this host is in the way.
    final class Scene {
        let dir: String, state: String
        init(specs: [String: String]) throws {
            dir = try CLI.tempDir().path
            state = try CLI.tempDir().path
            for (name, text) in specs { try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8) }
        }
        deinit { for d in [dir, state] { try? FileManager.default.removeItem(atPath: d) } }
    }

    static func seed(named name: String) throws -> String {
        try String(contentsOfFile: "\(packageRoot)/labs/bridge-lab.json5", encoding: .utf8)
            .replacingOccurrences(of: "name: \"bridge-lab\"", with: "name: \"\(name)\"")
    }

    /// What `shell` offers for `line` (typed after the prompt, the cursor at its end), in `cwd`.
    static func complete(_ shell: String, _ line: String, cwd: String = packageRoot, state: String) throws -> String {
        let path = try #require(ProcessRunner.resolve(shell), "\(shell) is not installed (.ci/run installs it)")
        let binary = try #require(CLI.executable, "no built vboxlab")
        let script = try CLI.run(["completion", shell])
        #expect(script.status == 0)
        let file = "\(state)/vboxlab.\(shell)"
        try script.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let words =
            line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            + (line.hasSuffix(" ") ? [""] : [])
        let program: String
        switch shell {
        case "bash":
            program =
                "source \(shellQuote(file)) && COMP_WORDS=(\(words.map(shellQuote).joined(separator: " "))) && "
                + "COMP_CWORD=\(words.count - 1) && _vboxlab && printf '%s\\n' \"${COMPREPLY[@]}\""
        case "zsh":
            // Two Tabs: the first inserts what all candidates share, the second lists them.
            program = """
                zmodload zsh/zpty
                zpty z zsh -f -i
                zpty -w z "autoload -U compinit; compinit -u -D; source \(file); setopt autolist; unsetopt beep"
                zpty -w -n z \(shellQuote(line))$'\\t\\t'
                # Read until 3 s pass with nothing new (at most 30 s): on a loaded machine
                # compinit and the vboxlab it calls for names take longer than any fixed wait.
                out='' quiet=0 waited=0
                while (( quiet < 30 && waited < 300 )); do
                  if zpty -r -t z chunk; then out+=$chunk; quiet=0; else sleep 0.1; (( quiet++ )); fi
                  (( waited++ ))
                done
                zpty -d z
                print -r -- "$out"
                """
        default:
            program = "source \(shellQuote(file)); complete -C \(shellQuote(line))"
        }
        let env = [
            "PATH": "\((binary as NSString).deletingLastPathComponent):/usr/bin:/bin", "HOME": state,
            "XDG_STATE_HOME": "\(state)/xdg", "XDG_RUNTIME_DIR": "\(state)/run", "VBOXLAB_HOME": "",
        ]
        let r = try ProcessRunner().run(
            Command(path, ["-c", "cd \(shellQuote(cwd)) && \(program)"], environment: env, timeout: 60))
        #expect(r.status == 0, "\(shell) \(line): \(r.stderr)")
        return r.stdout
    }

    @Test(arguments: shells) func vmNamesOfTheLabAtHand(shell: String) throws {
        let scene = try Scene(specs: ["vc-seed.json5": try Self.seed(named: "vc-seed")])
        let out = try Self.complete(shell, "vboxlab ssh-setup ", cwd: scene.dir, state: scene.state)
        for vm in ["centos-1", "centos-2", "centos-3"] { #expect(out.contains(vm), "\(shell): \(out)") }
        // ssh and check --pair, the lab named: hub-lab's VMs, not the seed's.
        let pair = try Self.complete(shell, "vboxlab check hub-lab --pair h1 ", state: scene.state)
        for vm in ["h2", "h3", "hub"] { #expect(pair.contains(vm), "\(shell): \(pair)") }
        #expect(!pair.contains("centos"), "\(shell): \(pair)")
        let ssh = try Self.complete(shell, "vboxlab ssh --lab hub4-lab h", state: scene.state)
        #expect(ssh.contains("h4") && !ssh.contains("centos"), "\(shell): \(ssh)")
    }

    /// capture offers each VM and its NICs as VM:SLOT; snapshot its actions.
    @Test(arguments: shells) func nicsAndSnapshotActions(shell: String) throws {
        let scene = try Scene(specs: ["vc-seed.json5": try Self.seed(named: "vc-seed")])
        let nics = try Self.complete(shell, "vboxlab capture centos-2:", cwd: scene.dir, state: scene.state)
        #expect(nics.contains("centos-2:2") && nics.contains("centos-2:3"), "\(shell): \(nics)")
        #expect(!nics.contains("centos-1:2"), "\(shell): \(nics)")
        let actions = try Self.complete(shell, "vboxlab snapshot vc-seed re", cwd: scene.dir, state: scene.state)
        #expect(actions.contains("restore") && !actions.contains("save"), "\(shell): \(actions)")
    }

    @Test(arguments: shells) func valuesOfEnumeratedOptions(shell: String) throws {
        let scene = try Scene(specs: [:])
        let strategy = try Self.complete(shell, "vboxlab plan bridge-lab --strategy ", state: scene.state)
        for s in Strategy.allCases.map(\.rawValue) { #expect(strategy.contains(s), "\(shell): \(strategy)") }
        // zsh's screen echoes the typed line: only what completion added counts.
        #expect(
            !strategy.replacingOccurrences(of: "plan bridge-lab", with: "").contains("bridge-lab"),
            "a value, not a lab: \(strategy)")
        let provider = try Self.complete(shell, "vboxlab create --provider ", state: scene.state)
        for p in ProviderRegistry.names { #expect(provider.contains(p), "\(shell): \(provider)") }
        let format = try Self.complete(shell, "vboxlab graph --format ", state: scene.state)
        #expect(format.contains("mermaid") && format.contains("dot"), "\(shell): \(format)")
        let options = try Self.complete(shell, "vboxlab fix-macs --re", state: scene.state)
        #expect(options.contains("--restart"), "\(shell): \(options)")
        let globals = try Self.complete(shell, "vboxlab --ver", state: scene.state)
        #expect(globals.contains("--verbose") && globals.contains("--version"), "\(shell): \(globals)")
    }

    @Test(arguments: shells) func specPathsAndEachLabOnce(shell: String) throws {
        let scene = try Scene(specs: [:])
        let dir = try Self.complete(shell, "vboxlab create la", state: scene.state)
        #expect(dir.contains("labs/"), "\(shell): \(dir)")
        let file = try Self.complete(shell, "vboxlab create labs/hub", state: scene.state)
        #expect(file.contains("labs/hub-lab.json5") || file.contains("hub-lab.json5"), "\(shell): \(file)")
        let two = try Scene(specs: ["ux-bad.json5": try Self.seed(named: "ux-bad")])
        let once = try Self.complete(shell, "vboxlab validate ux", cwd: two.dir, state: two.state)
        #expect(once.contains("ux-bad") && !once.contains("ux-bad.json5"), "\(shell): \(once)")
    }
}

/// Needs no shell: the refusal comes from vboxlab.
@Test func unknownShellIsAUsageError() throws {
    let bad = try CLI.run(["completion", "tcsh"])
    #expect(bad.status == 2 && bad.stderr.hasPrefix("error: completion takes one shell: bash, zsh or fish"))
}
