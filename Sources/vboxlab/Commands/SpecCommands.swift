import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Commands that read a spec and touch nothing on the host.
extension LabCommand {
    /// Notices from finding the lab, and the lab's warnings, on stderr.
    static func warn(_ found: FoundLab, _ plan: RegistrationPlan, progress: ProgressHandler) {
        for n in found.notices { progress(n) }
        for w in LabWarnings.of(plan) { Output.warn("\(found.specPath ?? found.name): \(w)") }
    }
}

struct Validate: LabCommand {
    static let configuration = CommandSpec(
        name: "validate", summary: "Check a lab spec; print nothing else on success (warnings go to stderr).",
        arguments: [Options.lab], options: [],
        discussion: Options.finding + " Every problem of the file is reported, with its JSON path.")
    let lab: String?
    init(_ a: ParsedArguments) { lab = a.positionals.first }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab)
        Self.warn(found, try Solver.plan(try found.requireSpec(), strategy: nil), progress: env.progress)
        return 0
    }
}

struct Plan: LabCommand {
    static let configuration = CommandSpec(
        name: "plan",
        summary: "Show the MAC registrations, promiscuous policies and guest MACs the lab needs, and why.",
        arguments: [Options.lab], options: [Options.json, Options.strategy], discussion: Options.finding)
    let lab: String?, json: Bool, strategy: Strategy?
    init(_ a: ParsedArguments) {
        lab = a.positionals.first
        json = a.flag(Options.json)
        strategy = a.choice(Options.strategy)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(lab)
        let plan = try Solver.plan(try found.requireSpec(), strategy: strategy)
        Self.warn(found, plan, progress: env.progress)
        print(json ? plan.json.rendered() : plan.table)
        return 0
    }
}

struct Graph: LabCommand {
    enum Format: String, CaseIterable { case mermaid, dot, svg }
    static let configuration = CommandSpec(
        name: "graph", summary: "Draw the lab: VMs, NICs (slot, MACs, policy), internal networks, bridges.",
        arguments: [Options.lab],
        options: [format, check, Options.strategy],
        discussion: Options.finding + " The last check of a lab is kept beside its record.")
    static let format = OptionSpec(
        "format", choosing: "format", from: Format.allCases.map(\.rawValue),
        help: "mermaid (default), dot, or svg (through Graphviz's dot).")
    static let check = OptionSpec(
        "check",
        help: "Draw the lab as it is now (the plan where it is not made), colour the hosts by the last check's "
            + "result and mark where frames were lost.")
    let lab: String?, format: Format, marked: Bool, strategy: Strategy?
    init(_ a: ParsedArguments) {
        lab = a.positionals.first
        format = a.choice(Self.format) ?? .mermaid
        marked = a.flag(Self.check)
        strategy = a.choice(Options.strategy)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        if format == .svg, ProcessRunner.resolve("dot") == nil {
            throw .missing(
                what: "Graphviz's dot",
                fix: "install graphviz (apt-get install -y graphviz), or use --format dot or mermaid")
        }
        let found = try env.finder.find(lab)
        let plan = try Solver.plan(try found.requireSpec(), strategy: strategy)
        var drawing = LabDrawing(plan: plan)
        if marked {
            // A lab that exists is drawn as it is, beside where its last check lost frames.
            if found.record != nil, let seen = try? LabLifecycle(found, environment: env).status(), seen.exists {
                drawing = LabDrawing.observed(plan, state: seen.state)
            }
            drawing.mark(try env.store.keptCheck(plan.lab, word: found.word))
        }
        switch format {
        case .mermaid: print(drawing.mermaid, terminator: "")
        case .dot: print(drawing.dot, terminator: "")
        case .svg:
            print(
                try env.runner.check(Command("dot", ["-Tsvg"], input: drawing.dot, timeout: 60)).stdout, terminator: "")
        }
        return 0
    }
}
