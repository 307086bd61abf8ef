import Foundation
import VBoxLab

/// `check` and `status`: they read a lab and report; they change nothing but the
/// guests' neighbour tables (every check starts with fresh ARP).
struct CheckCommands {
    let base: LabCommands
    var args: ParsedArguments { base.args }

    func run() throws(VBoxLabError) -> Int32 {
        let found = try base.finder.find(args.positionals.first, allowMissingSpec: base.command == .status)
        let choice = base.choose(found)
        let provider = try base.provider(choice)
        if base.command == .status { return try status(found, provider) }
        let plan = try Solver.plan(try found.requireSpec(), strategy: nil)
        for n in found.notices { progressToStderr(n) }
        return try check(found, plan: plan, provider: provider, choice: choice)
    }

    private func status(_ found: FoundLab, _ provider: LabProvider) throws(VBoxLabError) -> Int32 {
        try provider.checkPrerequisites(pinging: false)
        var vms = (try? found.spec.map { try Solver.plan($0, strategy: nil).vmNames }) ?? nil ?? []
        for vm in found.record?.vms ?? [] where !vms.contains(vm) { vms.append(vm) }
        let observation = try provider.observe(lab: found.name, vms: vms, record: found.record)
        print(args.flag("json") ? observation.statusJSON.rendered() : observation.statusText)
        return observation.exists ? 0 : 1
    }

    /// `locked`: the caller (create) already holds the lab's lock.
    func check(_ found: FoundLab, plan: RegistrationPlan, provider: LabProvider, choice: ProviderChoice, locked: Bool = false) throws(VBoxLabError) -> Int32 {
        let pairs = try pickedPairs(plan)
        try provider.checkPrerequisites(pinging: true)
        let held = locked ? nil : try base.lock(plan.lab)
        defer { withExtendedLifetime(held) {} }
        let checker = LabChecker(provider: provider, progress: progressToStderr)
        let (report, diagnoser) = try checker.check(plan, spec: try found.requireSpec(), record: found.record, pairs: pairs, trace: pairs != nil, capture: args.flag("capture") ? 4 : 0)
        if pairs != nil && !args.flag("json") {
            for r in report.results {
                print("\(r.pair.from.vm) \(r.pair.from.address.ip) → \(r.pair.to.vm) \(r.pair.to.address.ip): ping \(r.ok ? "ok" : "failed")")
                if let d = r.diagnosis { print("\(d.cause.rawValue): \(d.reason)") }
                if let c = r.capture { print("capture: \(c.lastSeen); \(c.agrees ? "agrees with the model" : "DISAGREES with the model (\(c.model?.description ?? "nothing"))")") }
                if let diagnoser, let t = diagnoser.trace(r.pair) { print(t.rendered(using: diagnoser)) }
            }
            return report.allPassed ? 0 : 1
        }
        // Kept for `graph --check`.
        let kept = base.store.lastCheck(plan.lab)
        try? FileManager.default.createDirectory(atPath: (kept as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? (report.json.rendered() + "\n").write(toFile: kept, atomically: true, encoding: .utf8)
        print(args.flag("json") ? report.json.rendered() : report.text(fixes: base.fixes(found, choice), matrix: args.flag("matrix") ? true : nil, paint: Output.paint))
        return report.allPassed ? 0 : 1
    }

    /// `--pair A B`: only that pair, checked before anything is pinged; nil for every pair.
    private func pickedPairs(_ plan: RegistrationPlan) throws(VBoxLabError) -> [PingPair]? {
        guard let value = args.value("pair") else { return nil }
        let ends = value.split(separator: " ").map(String.init)
        guard ends.count == 2 else { throw base.usage("--pair takes two endpoints, VM names or addresses: --pair A B") }
        let picked = plan.pingPairs.filter { p in
            [p.from.vm, p.from.address.ip].contains(ends[0]) && [p.to.vm, p.to.address.ip].contains(ends[1])
        }
        guard !picked.isEmpty else {
            let valid = plan.addresses.map { "\($0.vm) (\($0.address.ip))" }.joined(separator: ", ")
            throw base.usage("no pair from \(ends[0]) to \(ends[1]) in lab \(plan.lab); its endpoints are \(valid)")
        }
        return picked
    }
}
