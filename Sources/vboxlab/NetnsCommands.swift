import Foundation
import VBoxLab

/// The commands on `--provider netns`.
struct NetnsCommands {
    let command: String
    let args: ParsedArguments
    let runner: Runner

    func run() throws(VBoxLabError) -> Int32 {
        let plan = try runner.loadPlan()
        let dry = args.flag("dry-run") ? RecordingRunner(answer: { _ in CommandResult(status: 0) }) : nil
        if dry == nil { try NetnsProvider.checkPrerequisites(needPing: command == "check" || command == "create") }
        let real = ProcessRunner()
        // fix-macs shows its changes on stdout as it makes them; other commands report progress on stderr.
        let toStdout: ProgressHandler = { line in print(line) }
        let progress: ProgressHandler = command == "fix-macs" && dry == nil ? toStdout : progressToStderr
        let provider = NetnsProvider(runner: real, dryRun: dry, progress: progress)
        let lock = dry == nil && command != "status" ? try LabLock(lab: plan.lab, progress: progressToStderr) : nil
        defer { withExtendedLifetime(lock) {} }
        switch command {
        case "create":
            let outcome = try provider.create(plan, setup: !args.flag("no-setup"))
            if let dry { dry.commands.forEach { print($0) }; return 0 }
            if !outcome.created && outcome.changes.isEmpty { print("lab \(plan.lab) is already as planned; nothing changed") }
            else if !outcome.created { print("lab \(plan.lab): \(outcome.changes.count) changes") }
            if args.flag("no-setup") { return 0 }
            return try check(plan, real)
        case "fix-macs":
            let changes = try provider.converge(plan)
            if let dry { dry.commands.forEach { print($0) }; return 0 }
            print(changes.isEmpty ? "lab \(plan.lab) is already as planned; nothing changed" : "lab \(plan.lab): \(changes.count) changes")
            return 0
        case "check":
            return try check(plan, real)
        case "status":
            let observation = try NetnsObserver(runner: real, lab: plan.lab, vmNames: plan.vmNames).observe()
            print(args.flag("json") ? observation.statusJSON(lab: plan.lab).rendered() : observation.statusText)
            return observation.exists ? 0 : 1
        case "destroy":
            let removed = try provider.destroy(lab: plan.lab, vmNames: plan.vmNames)
            if let dry { dry.commands.forEach { print($0) }; return 0 }
            print(removed == 0 ? "lab \(plan.lab) does not exist; nothing to remove" : "removed lab \(plan.lab): \(removed) namespaces")
            return 0
        default:
            throw .failed("unknown command \(command)")
        }
    }

    private func check(_ plan: RegistrationPlan, _ real: ProcessRunner) throws(VBoxLabError) -> Int32 {
        let (report, diagnoser) = try LabChecker(runner: real, progress: progressToStderr).check(plan, trace: args.value("pair") != nil, capture: args.flag("capture") ? 4 : 0)
        if let pair = args.value("pair") {
            let ends = pair.split(separator: " ").map(String.init)
            let picked = report.results.filter { r in
                [r.pair.from.vm, r.pair.from.address.ip].contains(ends[0]) && [r.pair.to.vm, r.pair.to.address.ip].contains(ends[1])
            }
            guard !picked.isEmpty else { throw .usage(message: "no pair from \(ends[0]) to \(ends[1]) in lab \(plan.lab)", usage: "USAGE: vboxlab check LAB --pair FROM TO (VM names or addresses)") }
            for r in picked {
                print("\(r.pair.from.vm) \(r.pair.from.address.ip) → \(r.pair.to.vm) \(r.pair.to.address.ip): ping \(r.ok ? "ok" : "failed")")
                if let d = r.diagnosis { print("\(d.cause.rawValue): \(d.reason)") }
                if let diagnoser, let t = diagnoser.trace(r.pair) { print(t.rendered(using: diagnoser)) }
            }
            return picked.allSatisfy { $0.ok } ? 0 : 1
        }
        print(args.flag("json") ? report.json.rendered() : report.text(fixCommand: "vboxlab fix-macs \(plan.lab) --provider netns"))
        return report.allPassed ? 0 : 1
    }
}
