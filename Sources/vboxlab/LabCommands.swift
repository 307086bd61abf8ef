import Foundation
import VBoxLab

/// Runs one parsed command through the library: finds the lab, picks the provider,
/// calls it, prints, and picks the exit code. Provider-neutral: it sees `LabProvider` only.
struct LabCommands {
    let command: CommandName
    let args: ParsedArguments
    let env = ProcessInfo.processInfo.environment
    let paths = StatePaths.fromEnvironment()
    var store: LabStore { LabStore(paths: paths) }
    var finder: LabFinder { LabFinder(store: store) }
    var dryRun: RecordingRunner? { args.flag("dry-run") ? RecordingRunner() : nil }

    func run() throws(VBoxLabError) -> Int32 {
        switch command {
        case .validate:
            let found = try finder.find(args.positionals.first)
            let plan = try Solver.plan(try found.requireSpec(), strategy: nil)
            warn(found, plan)
            return 0
        case .plan:
            let found = try finder.find(args.positionals.first)
            let plan = try Solver.plan(try found.requireSpec(), strategy: try strategyOverride())
            warn(found, plan)
            print(args.flag("json") ? plan.json.rendered() : plan.table)
            return 0
        case .list: return try list()
        case .graph: return try graph()
        case .pruneBases:
            let dry = dryRun
            let vb = try provider(ProviderChoice(name: "virtualbox"), dryRun: dry)
            if dry == nil { try vb.checkPrerequisites(pinging: false) }
            guard let virtualbox = vb as? VirtualBoxProvider else { return 1 }
            let removed = try virtualbox.pruneBases(records: store.all())
            if let dry { dry.commands.forEach { print($0) }; return 0 }
            print(removed.isEmpty ? "no base to remove" : "removed \(removed.count) base\(removed.count == 1 ? "" : "s"): \(removed.joined(separator: ", "))")
            return 0
        case .destroy where args.flag("all"):
            guard args.positionals.isEmpty else { throw usage("--all takes no LAB") }
            return try destroyAll()
        case .create, .fixMacs: return try apply()
        case .destroy: return try destroy()
        case .check, .status: return try CheckCommands(base: self).run()
        case .sshSetup, .ssh: return try GuestCommands(base: self).run()
        }
    }

    // MARK: shared steps

    func usage(_ message: String) -> VBoxLabError {
        let spec = Commands.spec(command)
        return .usage(message: message, usage: "USAGE: \(spec.usageLine)\n  See 'vboxlab \(spec.name) --help' for more information.")
    }

    func strategyOverride() throws(VBoxLabError) -> Strategy? {
        guard let text = args.value("strategy") else { return nil }
        guard let s = Strategy(rawValue: text) else {
            throw usage("'\(text)' is not a strategy (valid: \(Strategy.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return s
    }

    func warn(_ found: FoundLab, _ plan: RegistrationPlan) {
        for n in found.notices { progressToStderr(n) }
        for w in LabWarnings.of(plan) { FileHandle.standardError.write(Data("warning: \(found.specPath ?? found.name): \(w)\n".utf8)) }
    }

    func choose(_ found: FoundLab) -> ProviderChoice {
        let netnsPossible = geteuid() == 0 && ProcessRunner.resolve("ip") != nil
        let program = env["VBOXLAB_VBOXMANAGE"] ?? "VBoxManage"
        return ProviderChoice.decide(flag: args.value("provider"), environment: env["VBOXLAB_PROVIDER"], recorded: found.record?.provider,
                                     vboxManageFound: ProcessRunner.resolve(program) != nil, netnsPossible: netnsPossible, lab: found.name)
    }

    func provider(_ choice: ProviderChoice, dryRun: RecordingRunner? = nil, progress: @escaping ProgressHandler = progressToStderr) throws(VBoxLabError) -> LabProvider {
        let runner: CommandRunner = Output.verbose ? VerboseRunner(inner: ProcessRunner()) : ProcessRunner()
        let context = ProviderContext(reader: runner, dryRun: dryRun, progress: progress, store: store)
        return try ProviderRegistry.make(choice.name, context: context)
    }

    func lock(_ lab: String) throws(VBoxLabError) -> LabLock {
        try LabLock(lab: lab, directory: paths.runtime, progress: progressToStderr)
    }

    func fixes(_ found: FoundLab, _ choice: ProviderChoice) -> FixCommands {
        FixCommands(lab: found.word, provider: choice.mustBeNamed || found.record == nil ? choice.name : nil)
    }

    // MARK: create, fix-macs, destroy, list

    private func apply() throws(VBoxLabError) -> Int32 {
        let found = try finder.find(args.positionals.first)
        let spec = try found.requireSpec()
        let plan = try Solver.plan(spec, strategy: try strategyOverride())
        warn(found, plan)
        let choice = choose(found)
        if command == .create, let notice = choice.notice { progressToStderr(notice) }
        let dry = dryRun
        // fix-macs shows its changes on stdout as it makes them; create reports progress on stderr.
        let toStdout: ProgressHandler = { line in print(line) }
        let progress: ProgressHandler = command == .fixMacs && dry == nil ? toStdout : progressToStderr
        let provider = try provider(choice, dryRun: dry, progress: progress)
        if dry == nil { try provider.checkPrerequisites(pinging: command == .create && !args.flag("no-setup")) }
        let held = dry == nil ? try lock(plan.lab) : nil
        defer { withExtendedLifetime(held) {} }
        let setup = !args.flag("no-setup")
        let lifecycle = LabLifecycle(provider: provider, store: store, dryRun: dry != nil)
        let outcome: ApplyOutcome
        do {
            outcome = try lifecycle.apply(plan, spec: spec, specPath: found.specPath!, record: found.record,
                                          mode: command == .create ? .create(setup: setup) : .fix(restart: args.flag("restart"), setup: setup))
        } catch {
            // A new lab that failed is gone, record and all: its lock file goes too.
            if found.record == nil { held?.removeFileOnRelease = true }
            throw error
        }
        if let dry {
            print("# \(outcome.changes.count) change\(outcome.changes.count == 1 ? "" : "s"):")
            outcome.changes.forEach { print("#   \($0)") }
            dry.commands.forEach { print($0) }
            return 0
        }
        if outcome.changes.isEmpty { print("lab \(plan.lab) is already as planned; nothing changed") }
        else if !outcome.created {
            print("lab \(plan.lab): \(outcome.changes.count) change\(outcome.changes.count == 1 ? "" : "s")")
            if command == .create { outcome.changes.forEach { print("  \($0)") } }
        }
        if outcome.created && !setup {
            print("created lab \(plan.lab) (\(provider.name)): \(spec.vms.count) VM\(spec.vms.count == 1 ? "" : "s"); guest setup and check skipped (--no-setup)")
        }
        guard command == .create, setup else { return 0 }
        var refreshed = found
        refreshed.record = outcome.record
        return try CheckCommands(base: self).check(refreshed, plan: plan, provider: provider, choice: choice, locked: true)
    }

    private func destroy() throws(VBoxLabError) -> Int32 {
        let found = try finder.find(args.positionals.first, allowMissingSpec: true)
        guard let record = found.record else {
            print("lab \(found.name) does not exist on this host (vboxlab has no record of it); nothing to remove")
            return 0
        }
        if let e = found.specError {
            let first = e.explanation.split(separator: "\n").first.map(String.init) ?? ""
            progressToStderr("the spec cannot be used (\(first.replacingOccurrences(of: "error: ", with: ""))); removing lab \(record.lab) by its record")
        }
        let dry = dryRun
        let (provider, removed) = try destroy(record, choose(found), dry)
        if let dry { dry.commands.forEach { print($0) }; return 0 }
        print(removed.isEmpty ? "lab \(record.lab) had nothing left on this host; forgot its record"
                              : "removed lab \(record.lab): \(removed.count) \(provider.name == "netns" ? "namespace" : "VM")\(removed.count == 1 ? "" : "s")")
        return 0
    }

    /// One lab's destroy: the provider's prerequisites, the lab's lock (whose file goes with
    /// the lab), then the lifecycle.
    private func destroy(_ record: LabRecord, _ choice: ProviderChoice, _ dry: RecordingRunner?) throws(VBoxLabError) -> (LabProvider, [String]) {
        let p = try provider(choice, dryRun: dry)
        if dry == nil { try p.checkPrerequisites(pinging: false) }
        let held = dry == nil ? try lock(record.lab) : nil
        defer { withExtendedLifetime(held) {} }
        let removed = try LabLifecycle(provider: p, store: store, dryRun: dry != nil).destroy(record)
        held?.removeFileOnRelease = true
        return (p, removed)
    }

    private func destroyAll() throws(VBoxLabError) -> Int32 {
        let records = store.all()
        if records.isEmpty { print("no lab recorded on this host; nothing to remove"); return 0 }
        let dry = dryRun
        for record in records {
            let (_, removed) = try destroy(record, ProviderChoice(name: record.provider), dry)
            if dry == nil { print("removed lab \(record.lab) (\(record.provider)): \(removed.isEmpty ? "nothing left on the host" : removed.joined(separator: ", "))") }
        }
        dry?.commands.forEach { print($0) }
        return 0
    }

    private func graph() throws(VBoxLabError) -> Int32 {
        let found = try finder.find(args.positionals.first)
        let plan = try Solver.plan(try found.requireSpec(), strategy: try strategyOverride())
        var drawing = LabDrawing(plan: plan)
        if args.flag("check") {
            guard let data = FileManager.default.contents(atPath: store.lastCheck(plan.lab)),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let pairs = object["pairs"] as? [[String: Any]] else {
                throw .failed("no check of lab \(plan.lab) is kept yet; run vboxlab check \(found.word) first")
            }
            drawing.mark(pairs.map { ($0["from"] as? String ?? "", $0["to"] as? String ?? "", $0["ok"] as? Bool ?? false, $0["lost"] as? String) })
        }
        switch args.value("format") ?? "mermaid" {
        case "mermaid": print(drawing.mermaid, terminator: "")
        case "dot": print(drawing.dot, terminator: "")
        case "svg":
            guard ProcessRunner.resolve("dot") != nil else { throw .missing(what: "Graphviz's dot", fix: "install graphviz (apt-get install -y graphviz), or use --format dot or mermaid") }
            print(try ProcessRunner().check(Command("dot", ["-Tsvg"], input: drawing.dot, timeout: 60)).stdout, terminator: "")
        case let other: throw usage("--format takes mermaid, dot or svg, not '\(other)'")
        }
        return 0
    }

    private func list() throws(VBoxLabError) -> Int32 {
        let records = store.all()
        var rows: [(LabRecord, LabSurvey?)] = []
        for r in records {
            let p = try? provider(ProviderChoice(name: r.provider))
            rows.append((r, p?.survey(r)))
        }
        // The bases of boxes, where VirtualBox is at hand.
        var bases: [(VBoxVM, [String])] = []
        if ProcessRunner.resolve(VBoxManage.programFromEnvironment()) != nil,
           let vb = try? provider(ProviderChoice(name: "virtualbox")) as? VirtualBoxProvider, let found = try? vb.bases(records: records) {
            bases = found.map { ($0.vm, $0.labs) }
        }
        if args.flag("json") {
            print(JSONOut.object([("labs", .array(rows.map { r, s in
                .object([("name", .string(r.lab)), ("provider", .string(r.provider)), ("running", s.map { .int($0.running) } ?? .null),
                         ("total", .int(r.vms.count)), ("spec", .string(r.spec)), ("specExists", .bool(FileManager.default.fileExists(atPath: r.spec))),
                         ("matches", s.map { .bool($0.matches) } ?? .null), ("note", .optional(s?.note))])
            })), ("bases", .array(bases.map { vm, labs in
                .object([("name", .string(vm.name)), ("uuid", .string(vm.uuid)), ("labs", .array(labs.map { .string($0) }))])
            }))]).rendered())
            return 0
        }
        for (vm, labs) in bases { print("base \(vm.name) (\(vm.uuid)): \(labs.isEmpty ? "no lab uses it (vboxlab prune-bases removes it)" : "cloned by \(labs.joined(separator: ", "))")") }
        if rows.isEmpty { print("no lab recorded on this host (records: \(store.directory))"); return 0 }
        var table = [["LAB", "PROVIDER", "VMS", "SPEC", "STATE"]]
        for (r, s) in rows {
            let spec = r.spec + (FileManager.default.fileExists(atPath: r.spec) ? "" : " (gone)")
            let state = s.map { $0.matches ? "as recorded" : "differs: \($0.note ?? "")" } ?? "provider unavailable here"
            table.append([r.lab, r.provider, s.map { "\($0.running)/\($0.total) running" } ?? "?/\(r.vms.count)", spec, state])
        }
        print(renderTable(table))
        return 0
    }
}

/// Columns padded to their widest cell.
func renderTable(_ rows: [[String]]) -> String {
    var widths: [Int] = []
    for row in rows { for (i, cell) in row.enumerated() { if i >= widths.count { widths.append(0) }; widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
        row.enumerated().map { i, c in i == row.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }.joined(separator: "\n")
}

/// `-v`: every external command on stderr as it starts, with its exit status after.
struct VerboseRunner: CommandRunner {
    let inner: CommandRunner
    func run(_ command: Command) throws(VBoxLabError) -> CommandResult {
        FileHandle.standardError.write(Data("vboxlab: $ \(Command(command.program, command.arguments).description)\n".utf8))
        let r = try inner.run(command)
        if !r.succeeded { FileHandle.standardError.write(Data("vboxlab:   exit \(r.status)\n".utf8)) }
        return r
    }
}
