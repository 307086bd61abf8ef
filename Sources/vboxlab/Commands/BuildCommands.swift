import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// What create and fix-macs share: find, plan, apply through the lifecycle, print.
struct Build {
    let lab: String?, dryRun: Bool, strategy: Strategy?, provider: String?
    var mode: ApplyMode
    /// Start VMs that do not fit the host's memory or cores.
    var force = false

    var isCreate: Bool { !mode.isFix }

    /// Running VMs whose MAC must change: on a terminal the table is shown and the user asked;
    /// without one (a script) the refusal names the command with --restart.
    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        do { return try runOnce(env) } catch {
            guard case .lab(.mustPowerOff(_, let vms, let table, _)) = error, !dryRun, isatty(0) == 1, isatty(2) == 1
            else { throw error }
            StandardError.emit(
                "\(vms.joined(separator: ", ")) must be powered off for these changes:\n\(table)\nrestart "
                    + "\(vms.joined(separator: ", ")) to apply? [y/N] "
            )
            guard let answer = readLine(),
                ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
            else {
                print("nothing was changed")
                return 1
            }
            // The table was just shown, above the question: the run does not show it again.
            Output.shownAbove.set(Set(table.split(separator: "\n").map(String.init)))
            var restarting = self
            switch mode {
            case .create(let setup, _): restarting.mode = .create(setup: setup, restart: true)
            case .fix(_, let setup): restarting.mode = .fix(restart: true, setup: setup)
            }
            return try restarting.runOnce(env)
        }
    }

    private func runOnce(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab)
        let plan = try Solver.plan(try found.requireSpec(), strategy: strategy)
        Create.warn(found, plan, progress: progressToStderr)
        let lifecycle = try LabLifecycle(
            found, environment: env, providerFlag: provider, strategyFlag: strategy, dryRun: dryRun)
        if isCreate { lifecycle.choice.notice.forEach(progressToStderr) }
        let report = try lifecycle.apply(plan, mode: mode, checkAfter: isCreate, force: force)
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
        if report.changes.isEmpty {
            print("lab \(lab) is already as planned; nothing changed")
        } else if !report.created && Output.progressShownOnTheSameTerminal {
            // Each change was just printed as it was made: the summary counts them, once.
            print("lab \(lab): \(counted(report.changes.count, "change")) (each above)")
        } else if !report.created {
            print("lab \(lab): \(counted(report.changes.count, "change"))")
            report.changes.forEach { print("  \($0)") }
        }
        if report.created && !mode.setsUpGuests {
            print("created lab \(lab) (\(provider)): \(counted(vms, "VM")); guest setup and check skipped (--no-setup)")
        }
    }
}

struct Create: LabCommand {
    static let configuration = CommandSpec(
        name: "create", summary: "Build the lab (or bring it to its spec), set up the guests, then run check.",
        arguments: [Options.lab],
        options: [
            Options.dryRun, FixMacs.restart, FixMacs.yes, Options.noSetup, Options.strategy, Options.provider,
            Options.force,
        ],
        discussion: Options.finding
            + " Run twice, it changes nothing the second time; on a lab whose spec changed it adds, changes and "
            + "removes VMs, NICs, addresses and bridge ports to match. A failed create removes what it made. A "
            + "change that needs a running VM powered off is asked on a terminal, refused in a script, and made "
            + "with --restart.",
        aliases: ["up", "deploy"])
    let build: Build
    init(_ a: ParsedArguments) {
        build = Build(
            lab: a.positionals.first, dryRun: a.flag(Options.dryRun), strategy: a.choice(Options.strategy),
            provider: a.value(Options.provider),
            mode: .create(setup: !a.flag(Options.noSetup), restart: a.flag(FixMacs.restart) || a.flag(FixMacs.yes)),
            force: a.flag(Options.force))
    }
    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 { try build.run(env) }
}

struct FixMacs: LabCommand {
    static let configuration = CommandSpec(
        name: "fix-macs", summary: "Bring an existing lab's registrations, policies and guest MACs to the plan.",
        arguments: [Options.lab],
        options: [Options.dryRun, restart, yes, noSetup, Options.strategy, Options.provider, Options.force],
        discussion: Options.finding)
    static let restart = OptionSpec(
        "restart",
        help: "Shut down a running VM whose MAC or network must change (ACPI, then power off), change it, "
            + "start it again. On a terminal, vboxlab asks instead.")
    static let yes = OptionSpec("yes", help: "The same as --restart: answer yes to the question, for scripts.")
    static let noSetup = OptionSpec(
        "no-setup", help: "Change the provider's side (VirtualBox, the switch) only, not the guests.")
    let build: Build
    init(_ a: ParsedArguments) {
        build = Build(
            lab: a.positionals.first, dryRun: a.flag(Options.dryRun), strategy: a.choice(Options.strategy),
            provider: a.value(Options.provider),
            mode: .fix(restart: a.flag(Self.restart) || a.flag(Self.yes), setup: !a.flag(Self.noSetup)),
            force: a.flag(Options.force))
    }
    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 { try build.run(env) }
}
