import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

struct Check: LabCommand {
    static let configuration = CommandSpec(
        name: "check", summary: "Ping every pair of lab addresses; print the matrix and say why a pair fails.",
        arguments: [Options.lab],
        options: [Options.json, pairOption, capture, matrix, Options.provider],
        discussion: Options.finding
            + " Exit 0 when every pair answers, 1 when one does not or there is nothing to check.")
    static let pairOption = OptionSpec(
        "pair", value: "A B", help: "Ping and trace one pair (VM names or addresses) hop by hop.")
    static let capture = OptionSpec(
        "capture",
        help: "Capture on the switch ports to confirm where a frame was lost (where the provider has a switch "
            + "to listen on).")
    static let matrix = OptionSpec(
        "matrix", help: "Print the ping matrix even above \(CheckReport.matrixLimit) endpoints.")
    /// How many failing pairs `--capture` listens to, each for one capture window.
    static let captures = 4

    let lab: String?, json: Bool, pair: (from: String, to: String)?, capture: Bool, matrix: Bool, provider: String?
    init(_ a: ParsedArguments) throws(VBoxLabError) {
        lab = a.positionals.first
        json = a.flag(Options.json)
        capture = a.flag(Self.capture)
        matrix = a.flag(Self.matrix)
        provider = a.value(Options.provider)
        if let value = a.value(Self.pairOption) {
            let ends = value.split(separator: " ").map(String.init)
            guard ends.count == 2 else {
                throw Self.usage("--pair takes two endpoints, VM names or addresses: --pair A B")
            }
            pair = (ends[0], ends[1])
        } else {
            pair = nil
        }
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab)
        // Planned as the lab was built: a lab made with --strategy is checked against that plan,
        // and its fixes keep the option. But for `none`, the lab as the switch gives it unaided: a
        // plan that registers nothing explains nothing, so it is checked against the spec's own.
        let strategy = found.record?.builtWith.flatMap { $0 == Strategy.none ? nil : $0 }
        let plan = try Solver.plan(try found.requireSpec(), strategy: strategy)
        for n in found.notices { env.progress(n) }
        let pairs = try picked(plan)
        let lifecycle = try LabLifecycle(found, environment: env, providerFlag: provider, strategyFlag: strategy)
        let run = try lifecycle.check(plan, pairs: pairs, capture: capture ? Self.captures : 0)
        if pairs != nil && !json {
            printTrace(run)
        } else {
            print(
                json
                    ? run.report.json.rendered()
                    : run.report.text(fixes: lifecycle.fixes, matrix: matrix ? true : nil, paint: Output.paint))
        }
        return run.report.allPassed ? 0 : 1
    }

    /// `--pair A B`: only that pair, checked before anything is pinged; nil for every pair.
    private func picked(_ plan: RegistrationPlan) throws(VBoxLabError) -> [PingPair]? {
        guard let pair else { return nil }
        let picked = plan.pingPairs.filter { p in
            [p.from.vm, p.from.address.ip].contains(pair.from) && [p.to.vm, p.to.address.ip].contains(pair.to)
        }
        guard !picked.isEmpty else {
            let valid = plan.addresses.map { "\($0.vm) (\($0.address.ip))" }.joined(separator: ", ")
            throw Self.usage("no pair from \(pair.from) to \(pair.to) in lab \(plan.lab); its endpoints are \(valid)")
        }
        return picked
    }

    private func printTrace(_ run: CheckRun) {
        for r in run.report.results {
            print(
                "\(r.pair.from.vm) \(r.pair.from.address.ip) → \(r.pair.to.vm) \(r.pair.to.address.ip): ping "
                    + "\(r.ok ? "ok" : "failed")"
            )
            if let d = r.diagnosis { print("\(d.cause.rawValue): \(d.reason)") }
            if let c = r.capture {
                let verdict =
                    c.agrees
                    ? "agrees with the model" : "DISAGREES with the model (\(c.model?.description ?? "nothing"))"
                print("capture: \(c.lastSeen); \(verdict)")
            }
            if let diagnoser = run.diagnoser, let t = diagnoser.trace(r.pair) { print(t.rendered(using: diagnoser)) }
        }
    }
}

struct Status: LabCommand {
    static let configuration = CommandSpec(
        name: "status", summary: "Show the lab as the system has it: VMs, NICs, registered and guest MACs, policies.",
        arguments: [Options.lab], options: [Options.json, Options.provider],
        discussion: Options.finding + " Works from the record when the spec is gone.")
    let lab: String?, json: Bool, provider: String?
    init(_ a: ParsedArguments) {
        lab = a.positionals.first
        json = a.flag(Options.json)
        provider = a.value(Options.provider)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab, allowMissingSpec: true)
        let observation = try LabLifecycle(found, environment: env, providerFlag: provider).status()
        print(json ? observation.statusJSON.rendered() : observation.statusText)
        return observation.exists ? 0 : 1
    }
}
