import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// `vboxlab stop [LAB] [--save]`: the lab put away for the night, its record kept.
struct Stop: LabCommand {
    static let configuration = CommandSpec(
        name: "stop", summary: "Shut every VM of the lab down (or keep its running state), keeping the lab.",
        arguments: [Options.lab], options: [save, Options.dryRun, Options.provider],
        discussion:
            Options.finding
            + " Each VM gets its power button (ACPI), then is powered off if it has not stopped within 90 s. With "
            + "--save its running state is kept instead (VirtualBox savestate; QEMU savevm into its own disk), so "
            + "start resumes it where it was. A netns lab has no running state: stop removes its namespaces and "
            + "keeps the record, and start builds them again. vboxlab start LAB brings the lab back.",
        aliases: ["halt"])
    static let save = OptionSpec(
        "save", help: "Keep each VM's running state (memory, uptime) so that start resumes it.")
    let lab: String?, save: Bool, dryRun: Bool, provider: String?

    init(_ a: ParsedArguments) throws(VBoxLabError) {
        if a.positionals.count > 1 { throw Self.usage("unexpected argument '\(a.positionals[1])'") }
        lab = a.positionals.first
        save = a.flag(Self.save)
        dryRun = a.flag(Options.dryRun)
        provider = a.value(Options.provider)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab, allowMissingSpec: true)
        let lifecycle = try LabLifecycle(found, environment: env, providerFlag: provider, dryRun: dryRun)
        let report = try lifecycle.stop(save: save)
        if let commands = report.commands {
            report.lines.forEach { print("# \($0)") }
            commands.forEach { print($0) }
            return 0
        }
        if report.already {
            print("lab \(report.lab) is stopped already; nothing changed (vboxlab start \(found.word) brings it back)")
            return 0
        }
        if let note = report.note { progressToStderr(note) }
        report.lines.forEach { print("  \($0)") }
        print("stopped lab \(report.lab); vboxlab start \(found.word) brings it back")
        return 0
    }
}

/// `vboxlab start [LAB]`: a stopped lab back as it was, then checked.
struct Start: LabCommand {
    static let configuration = CommandSpec(
        name: "start", summary: "Start every stopped VM of the lab (a saved one resumes), then run check.",
        arguments: [Options.lab], options: [noCheck, Options.provider],
        discussion:
            Options.finding
            + " Uses the strategy the lab was built with. Waits for each guest as create does, sets up again only "
            + "the guests whose setup a stop lost (not a saved VM's, nor one written with ssh-setup --persist), "
            + "then checks every pair: exit 0 when all pass, 1 otherwise. create on a stopped lab does the same.",
        aliases: ["resume"])
    static let noCheck = OptionSpec("no-check", help: "Stop once the VMs run and the guests are set up.")
    let lab: String?, check: Bool, provider: String?

    init(_ a: ParsedArguments) throws(VBoxLabError) {
        if a.positionals.count > 1 { throw Self.usage("unexpected argument '\(a.positionals[1])'") }
        lab = a.positionals.first
        check = !a.flag(Self.noCheck)
        provider = a.value(Options.provider)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab)
        let lifecycle = try LabLifecycle(found, environment: env, providerFlag: provider)
        let report = try lifecycle.start(checkAfter: check)
        if report.changes.isEmpty {
            print("lab \(found.name) runs already; nothing changed")
        } else {
            print("started lab \(found.name)")
        }
        guard let run = report.check else { return 0 }
        print(run.report.text(fixes: lifecycle.fixes, matrix: nil, paint: Output.paint))
        return run.report.allPassed ? 0 : 1
    }
}
