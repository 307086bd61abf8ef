import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

struct List: LabCommand {
    static let configuration = CommandSpec(
        name: "list", summary: "List every lab vboxlab made on this host, and the shared bases (of Vagrant boxes).",
        arguments: [], options: [Options.json],
        discussion:
            "Name, provider, VMs running of total, spec path, and whether the system still matches the record; then, "
            + "where a provider keeps shared bases, each base and the labs that build on it."
    )
    let json: Bool
    init(_ a: ParsedArguments) { json = a.flag(Options.json) }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let host = HostLabs(environment: env)
        let labs = host.list()
        let bases = host.sharedBases()
        let broken = host.unreadable()
        if json {
            print(Self.json(labs, bases, broken).rendered())
            return 0
        }
        for b in broken {
            Output.warn(
                "the record of lab \(b.lab) cannot be read: \(b.file): \(b.reason); vboxlab destroy \(b.lab) "
                    + "--forget forgets it"
            )
        }
        for b in bases {
            let use =
                b.labs.isEmpty
                ? "no lab uses it (vboxlab prune-bases removes it)" : "cloned by \(b.labs.joined(separator: ", "))"
            print("base \(b.name) (\(b.id)): \(use)")
        }
        if labs.isEmpty && broken.isEmpty {
            print("no lab recorded on this host (records: \(env.store.directory))")
            return 0
        }
        var table = [["LAB", "PROVIDER", "VMS", "SPEC", "STATE"]]
        for l in labs {
            let r = l.record
            let s = l.survey
            let state =
                s.map { $0.matches ? ($0.note ?? "as recorded") : "differs: \($0.note ?? "")" }
                ?? "provider unavailable here"
            table.append([
                r.lab, r.provider, s.map { "\($0.running)/\($0.total) running" } ?? "?/\(r.vms.count)",
                r.spec + (l.specExists ? "" : " (gone)"), state,
            ])
        }
        for b in broken { table.append([b.lab, "?", "?", "?", "record unreadable: \(b.file)"]) }
        print(TextTable.render(table).joined(separator: "\n"))
        return 0
    }

    static func json(
        _ labs: [HostLabs.Listing], _ bases: [SharedBase], _ broken: [(lab: String, file: String, reason: String)]
    ) -> JSONOut {
        .object([
            (
                "labs",
                .array(
                    labs.map { l in
                        .object([
                            ("name", .string(l.record.lab)), ("provider", .string(l.record.provider)),
                            ("state", .optional(l.state?.rawValue)),
                            ("running", l.survey.map { .int($0.running) } ?? .null),
                            ("total", .int(l.record.vms.count)), ("spec", .string(l.record.spec)),
                            ("specExists", .bool(l.specExists)),
                            ("matches", l.survey.map { .bool($0.matches) } ?? .null),
                            ("note", .optional(l.survey?.note)),
                            (
                                "snapshots",
                                .array(
                                    (l.record.snapshots ?? []).map {
                                        .object([("name", .string($0.name)), ("taken", .string($0.taken))])
                                    })
                            ),
                        ])
                    })
            ),
            (
                "bases",
                .array(
                    bases.map { b in
                        .object([
                            ("name", .string(b.name)), ("uuid", .string(b.id)),
                            ("labs", .array(b.labs.map { .string($0) })),
                        ])
                    })
            ),
            (
                "unreadable",
                .array(
                    broken.map { b in
                        .object([("name", .string(b.lab)), ("file", .string(b.file)), ("reason", .string(b.reason))])
                    })
            ),
        ])
    }
}

struct Destroy: LabCommand {
    static let configuration = CommandSpec(
        name: "destroy", summary: "Remove everything that create made, and nothing else.",
        arguments: [Options.lab],
        options: [all, forget, Options.dryRun, Options.provider],
        discussion: Options.finding + " Works from the record when the spec is gone or invalid.", aliases: ["down"],
        isDestructive: true)
    static let all = OptionSpec("all", help: "Remove every lab vboxlab made on this host.")
    static let forget = OptionSpec(
        "forget",
        help: "Forget the lab named LAB (its record, host keys and last check) without touching the system: "
            + "for a record that cannot be read.")
    let lab: String?, all: Bool, forget: Bool, dryRun: Bool, provider: String?
    init(_ a: ParsedArguments) throws(VBoxLabError) {
        lab = a.positionals.first
        all = a.flag(Self.all)
        forget = a.flag(Self.forget)
        dryRun = a.flag(Options.dryRun)
        provider = a.value(Options.provider)
        if all && lab != nil { throw Self.usage("--all takes no LAB") }
        if forget && (lab == nil || all) {
            throw Self.usage("--forget takes the name of one lab: vboxlab destroy LAB --forget")
        }
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        if all { return try destroyAll(env) }
        // Left out, LAB is a recorded lab: with none recorded there is nothing to remove,
        // whatever specs lie about.
        if lab == nil, env.store.scan().records.isEmpty, env.store.scan().unreadable.isEmpty {
            print("no lab recorded on this host; nothing to remove")
            return 0
        }
        if forget, let lab {
            let known = HostLabs(environment: env).forget(lab)
            print(
                known
                    ? "forgot lab \(lab): its record is gone; nothing on this host was touched, so remove what it "
                        + "made by hand"
                    : "lab \(lab) has no record on this host; nothing to forget")
            return 0
        }
        let found = try env.finder.find(lab, allowMissingSpec: true)
        guard found.record != nil else {
            print("lab \(found.name) does not exist on this host (vboxlab has no record of it); nothing to remove")
            return 0
        }
        if let e = found.specError {
            let first = e.message.split(separator: "\n").first.map(String.init) ?? ""
            env.progress("the spec cannot be used (\(first)); removing lab \(found.name) by its record")
        }
        let report = try LabLifecycle(found, environment: env, providerFlag: provider, dryRun: dryRun).destroy()
        if let commands = report.commands {
            commands.forEach { print($0) }
            return 0
        }
        guard report.existed else {
            print("lab \(report.lab) was destroyed by another command while this one waited; nothing to remove")
            return 0
        }
        print(
            report.removed.isEmpty
                ? "lab \(report.lab) had nothing left on this host; forgot its record"
                : "removed lab \(report.lab): \(counted(report.removed.count, report.noun))")
        return 0
    }

    private func destroyAll(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let host = HostLabs(environment: env)
        let scan = env.store.scan()
        if scan.records.isEmpty && scan.unreadable.isEmpty {
            print("no lab recorded on this host; nothing to remove")
            return 0
        }
        var commands: [Command] = []
        try host.destroyAll(dryRun: dryRun) { report in
            if let c = report.commands {
                commands += c
                return
            }
            guard report.existed else { return }
            // A count, not the names: a lab of 300 VMs would print them all on one line.
            let what = report.removed.isEmpty ? "nothing left on the host" : counted(report.removed.count, report.noun)
            print("removed lab \(report.lab) (\(report.provider)): \(what)")
        }
        commands.forEach { print($0) }
        // A record that cannot be read still says a lab made something here: never passed over in silence.
        guard let first = scan.unreadable.first else { return 0 }
        for other in scan.unreadable.dropFirst() {
            env.progress("the record of lab \(other.lab) cannot be read either: \(other.file): \(other.reason)")
        }
        throw .spec(.unreadableRecord(lab: first.lab, file: first.file, reason: first.reason))
    }
}

struct PruneBases: LabCommand {
    static let configuration = CommandSpec(
        name: "prune-bases", summary: "Delete the shared bases (of Vagrant boxes) that no lab builds on.",
        arguments: [], options: [Options.dryRun],
        discussion:
            "destroy never removes a base; this does, once no recorded lab (and no other VM's disk) builds on it.",
        isDestructive: true)
    let dryRun: Bool
    init(_ a: ParsedArguments) { dryRun = a.flag(Options.dryRun) }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let (removed, commands) = try HostLabs(environment: env).pruneBases(dryRun: dryRun)
        if let commands {
            commands.forEach { print($0) }
            return 0
        }
        print(
            removed.isEmpty
                ? "no base to remove" : "removed \(counted(removed.count, "base")): \(removed.joined(separator: ", "))")
        return 0
    }
}
