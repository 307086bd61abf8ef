import Foundation
import VBoxLab

/// What create and fix-macs share: find, plan, apply through the lifecycle, print.
struct Build {
    let lab: String?, dryRun: Bool, strategy: Strategy?, provider: String?
    let mode: ApplyMode

    var isCreate: Bool { !mode.isFix }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab)
        let plan = try Solver.plan(try found.requireSpec(), strategy: strategy)
        Create.warn(found, plan, progress: progressToStderr)
        let lifecycle = try LabLifecycle(found, environment: env, providerFlag: provider, dryRun: dryRun)
        if isCreate, let notice = lifecycle.choice.notice { progressToStderr(notice) }
        let report = try lifecycle.apply(plan, mode: mode, checkAfter: isCreate)
        if let commands = report.commands {
            print("# \(counted(report.changes.count, "change")):")
            report.changes.forEach { print("#   \($0)") }
            commands.forEach { print($0) }
            return 0
        }
        printSummary(report, lab: plan.lab, vms: plan.vmNames.count, provider: lifecycle.provider.name)
        guard let run = report.check else { return 0 }
        print(run.report.text(fixes: lifecycle.fixes, matrix: nil, paint: Output.paint))
        return run.report.allPassed ? 0 : 1
    }

    private func printSummary(_ report: ApplyReport, lab: String, vms: Int, provider: String) {
        if report.changes.isEmpty { print("lab \(lab) is already as planned; nothing changed") }
        else if !report.created {
            print("lab \(lab): \(counted(report.changes.count, "change"))")
            if isCreate { report.changes.forEach { print("  \($0)") } }
        }
        if report.created && !mode.setsUpGuests {
            print("created lab \(lab) (\(provider)): \(counted(vms, "VM")); guest setup and check skipped (--no-setup)")
        }
    }
}

struct Create: LabCommand {
    static let configuration = CommandSpec(
        name: "create", summary: "Build the lab (or bring it to its spec), set up the guests, then run check.",
        arguments: [Options.lab], options: [Options.dryRun, Options.noSetup, Options.strategy, Options.provider],
        discussion: Options.finding + " Run twice, it changes nothing the second time; on a lab whose spec changed it adds, changes and removes VMs, NICs, addresses and bridge ports to match. A failed create removes what it made.",
        aliases: ["up", "deploy"])
    let build: Build
    init(_ a: ParsedArguments) {
        build = Build(lab: a.positionals.first, dryRun: a.flag("dry-run"), strategy: a.choice("strategy"), provider: a.value("provider"),
                      mode: .create(setup: !a.flag("no-setup")))
    }
    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 { try build.run(env) }
}

struct FixMacs: LabCommand {
    static let configuration = CommandSpec(
        name: "fix-macs", summary: "Bring an existing lab's registrations, policies and guest MACs to the plan.",
        arguments: [Options.lab],
        options: [Options.dryRun,
                  OptionSpec("restart", help: "Shut down a running VM whose MAC or network must change (ACPI, then power off), change it, start it again."),
                  OptionSpec("no-setup", help: "Change the provider's side (VirtualBox, the switch) only, not the guests."),
                  Options.strategy, Options.provider],
        discussion: Options.finding)
    let build: Build
    init(_ a: ParsedArguments) {
        build = Build(lab: a.positionals.first, dryRun: a.flag("dry-run"), strategy: a.choice("strategy"), provider: a.value("provider"),
                      mode: .fix(restart: a.flag("restart"), setup: !a.flag("no-setup")))
    }

    /// fix-macs shows its changes on stdout as it makes them.
    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        var env = env
        if !build.dryRun { env.progress = { line in print(line.escapedForTerminal) } }
        return try build.run(env)
    }
}
