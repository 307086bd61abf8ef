import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// `vboxlab exec [LAB] [--vm VM,...] [--json] -- COMMAND...`: one command on every chosen VM
/// at once; each line of its output prefixed with its VM, aligned.
struct Exec: LabCommand {
    static let configuration = CommandSpec(
        name: "exec", summary: "Run one command on every VM of the lab at once, each line prefixed with its VM.",
        arguments: [Options.lab, "COMMAND..."], options: [vms, Options.json, Options.provider],
        discussion:
            "vboxlab exec -- ip -br addr runs on every VM; --vm centos-1,centos-3 on those. As with vboxlab ssh, the "
            + "words after -- are joined with spaces and handed to each VM's login shell as ssh hands them (a user "
            + "who is not root types sudo), for at most 300 s. Output is printed VM by VM once all "
            + "have answered: stdout to stdout, stderr to stderr. Exit 0 when every VM's command exited 0; else the "
            + "first other status in the lab's VM order, or 3 when a VM could not be reached (named, with why; the "
            + "others still run the command).")
    static let vms = OptionSpec("vm", value: "VM,...", help: "Only these VMs, comma-separated (default: every VM).")
    let lab: String?, words: [String], chosen: [String]?, json: Bool, provider: String?

    init(_ a: ParsedArguments) throws(VBoxLabError) {
        guard let dashes = a.beforeDashes else {
            throw Self.usage("put the command after --: vboxlab exec [LAB] -- COMMAND...")
        }
        if dashes > 1 { throw Self.usage("unexpected argument '\(a.positionals[1])' before --") }
        lab = dashes == 1 ? a.positionals[0] : nil
        words = Array(a.positionals[dashes...])
        if words.isEmpty { throw Self.usage("missing COMMAND after --") }
        chosen = a.value(Self.vms).map { $0.split(separator: ",").map(String.init) }
        if chosen?.isEmpty == true { throw Self.usage("--vm takes VM names, comma-separated") }
        json = a.flag(Options.json)
        provider = a.value(Options.provider)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab)
        let results = try LabLifecycle(found, environment: env, providerFlag: provider).exec(
            words.joined(separator: " "), vms: chosen)
        if json {
            print(Self.json(lab: found.name, results).rendered())
        } else {
            Self.printPrefixed(results)
        }
        return ExecResult.status(results)
    }

    /// Each VM's lines under its aligned name; what the guests said is escaped, line by line.
    static func printPrefixed(_ results: [ExecResult]) {
        let width = results.map(\.vm.count).max() ?? 0
        func lines(_ text: String) -> [Substring] {
            text.isEmpty
                ? []
                : text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
        }
        for r in results {
            let prefix = r.vm.padding(toLength: width, withPad: " ", startingAt: 0) + " | "
            for line in lines(r.stdout) { print(prefix + String(line).escapedForTerminal) }
            var said = lines(r.stderr).map { prefix + String($0).escapedForTerminal }
            if let why = r.unreachable {
                said.append("\(prefix)could not be reached: \(why)")
            } else if let status = r.status, status != 0 {
                said.append("\(prefix)exit \(status)")
            }
            if !said.isEmpty { StandardError.emit(said.joined(separator: "\n") + "\n") }
        }
    }

    /// `{"lab", "vms": [{"name", "exit", "stdout", "stderr", "unreachable"}]}`, exit null when it never ran.
    static func json(lab: String, _ results: [ExecResult]) -> JSONOut {
        .object([
            ("lab", .string(lab)),
            (
                "vms",
                .array(
                    results.map { r in
                        .object([
                            ("name", .string(r.vm)), ("exit", r.status.map { .int(Int($0)) } ?? .null),
                            ("stdout", .string(r.stdout)), ("stderr", .string(r.stderr)),
                            ("unreachable", .optional(r.unreachable)),
                        ])
                    })
            ),
        ])
    }
}
