import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// `vboxlab snapshot [LAB] save NAME | restore NAME | list [--json] | delete NAME`: the whole
/// lab at one moment, every VM.
struct Snapshot: LabCommand {
    static let configuration = CommandSpec(
        name: "snapshot", summary: "Save the whole lab at one moment, restore it, list or delete its snapshots.",
        arguments: [Options.lab, "save|restore|list|delete", "NAME?"],
        options: [Options.json, noCheck, Options.provider],
        discussion:
            "save NAME takes a snapshot of every VM (VirtualBox snapshot take, --live on a running VM; QEMU savevm "
            + "into its own disk, qemu-img snapshot on a stopped one). restore NAME brings every VM back to that "
            + "moment: running VMs are powered off, restored, and the VMs that ran then resume from it, then check "
            + "runs; a lab saved stopped stays stopped. A name is letters, digits, '.', '_' and '-'; one taken, or "
            + "unknown, is exit 2. destroy removes the lab's snapshots with it. A netns lab has none: create "
            + "builds it again.")
    static let noCheck = OptionSpec("no-check", help: "restore: do not run check after the lab is back.")
    static let actions = ["save", "restore", "list", "delete"]
    let lab: String?, action: String, name: String?, json: Bool, check: Bool, provider: String?

    init(_ a: ParsedArguments) throws(VBoxLabError) {
        var words = a.positionals
        // LAB is left out unless the first word is not an action.
        lab = words.count >= 2 && !Self.actions.contains(words[0]) ? words.removeFirst() : nil
        guard let first = words.first, Self.actions.contains(first) else {
            throw Self.usage("name an action: save NAME, restore NAME, list or delete NAME")
        }
        action = first
        name = words.count > 1 ? words[1] : nil
        if action != "list" && name == nil { throw Self.usage("\(action) needs a snapshot NAME") }
        if action == "list" && name != nil { throw Self.usage("list takes no NAME") }
        if words.count > 2 { throw Self.usage("unexpected argument '\(words[2])'") }
        json = a.flag(Options.json)
        check = !a.flag(Self.noCheck)
        provider = a.value(Options.provider)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab, allowMissingSpec: action == "list" || action == "delete")
        let lifecycle = try LabLifecycle(found, environment: env, providerFlag: provider)
        switch action {
        case "list":
            let snapshots = try lifecycle.snapshots()
            if json {
                print(Self.json(lab: found.name, snapshots).rendered())
            } else if snapshots.isEmpty {
                print("lab \(found.name) has no snapshot (vboxlab snapshot \(found.word) save NAME takes one)")
            } else {
                let rows = snapshots.map { s in
                    [s.name, s.taken, s.running.isEmpty ? "stopped" : "running: \(s.running.joined(separator: ", "))"]
                }
                print(TextTable.render([["NAME", "TAKEN", "VMS"]] + rows).joined(separator: "\n"))
            }
            return 0
        case "save":
            let report = try lifecycle.saveSnapshot(name!)
            print("saved snapshot \(name!) of lab \(report.lab) (vboxlab snapshot \(found.word) restore \(name!))")
            return 0
        case "delete":
            let report = try lifecycle.deleteSnapshot(name!)
            print("deleted snapshot \(name!) of lab \(report.lab)")
            return 0
        default:
            let report = try lifecycle.restoreSnapshot(name!, checkAfter: check)
            print("restored lab \(report.lab) to snapshot \(name!) (taken \(report.snapshot.taken))")
            guard let run = report.started?.check else {
                if report.snapshot.running.isEmpty { print("it was stopped then: vboxlab start \(found.word)") }
                return 0
            }
            print(run.report.text(fixes: lifecycle.fixes, matrix: nil, paint: Output.paint))
            return run.report.allPassed ? 0 : 1
        }
    }

    /// `{"lab", "snapshots": [{"name", "taken", "running"}]}`.
    static func json(lab: String, _ snapshots: [LabSnapshot]) -> JSONOut {
        .object([
            ("lab", .string(lab)),
            (
                "snapshots",
                .array(
                    snapshots.map { s in
                        .object([
                            ("name", .string(s.name)), ("taken", .string(s.taken)),
                            ("running", .array(s.running.map { .string($0) })),
                        ])
                    })
            ),
        ])
    }
}
