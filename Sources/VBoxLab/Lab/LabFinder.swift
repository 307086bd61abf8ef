import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// A lab as the command line named it: its spec (when it can be read), its record
/// (when `create` made it), and the word that names it in a printed command.
public struct FoundLab: Sendable {
    public var name: String
    public var spec: LabSpec?
    /// Absolute path of the spec.
    public var specPath: String?
    /// Why the spec could not be used, when only the record could.
    public var specError: VBoxLabError?
    public var record: LabRecord?
    /// How a pasted command names this lab.
    public var word: String
    /// Things the user should know (a recorded spec that moved), for stderr.
    public var notices: [String] = []

    /// The spec, or the reason there is none.
    public func requireSpec() throws(VBoxLabError) -> LabSpec {
        if let spec { return spec }
        throw specError ?? .spec(.noSpec(lab: name))
    }
}

/// The finding rules of the command line (README, "Finding the lab"):
/// a path; `./LAB.json5`; `./labs/LAB.json5`; `$VBOXLAB_HOME/labs/LAB.json5` (else the
/// installed labs, `PREFIX/share/vboxlab/labs`); a recorded lab's name. Left out: the one
/// recorded lab, else the one spec in `.` or `./labs`. Anything ambiguous is exit 2 with the candidates.
public struct LabFinder: Sendable {
    public let store: LabStore
    public let directory: String
    public let home: String?
    /// The command a printed "name one" line names (`vboxlab check LAB`).
    public var command = "COMMAND"

    /// `installed`: the directory `scripts/install` put the labs' home in, used when
    /// `VBOXLAB_HOME` is not set, so an installed vboxlab finds the bundled labs from anywhere.
    public init(
        store: LabStore, directory: String = FileManager.default.currentDirectoryPath,
        home: String? = ProcessInfo.processInfo.environment["VBOXLAB_HOME"], installed: String? = nil
    ) {
        self.store = store
        self.directory = directory
        self.home = home.flatMap { $0.isEmpty ? nil : $0 } ?? installed
    }

    /// `allowMissingSpec`: a recorded lab whose spec is gone or broken is still found (destroy, status).
    public func find(_ argument: String?, allowMissingSpec: Bool = false) throws(VBoxLabError) -> FoundLab {
        guard let argument else { return try findUnnamed(allowMissingSpec: allowMissingSpec) }
        if argument.isEmpty {
            throw .usage(
                message: "the lab name is empty",
                usage:
                    "USAGE: vboxlab \(command) [LAB]\n  Name a lab of labs/ (vboxlab list shows the ones made), or "
                    + "leave LAB out when there is one."
            )
        }
        if argument.contains("/") || argument.hasSuffix(".json5") || argument.hasSuffix(".json") {
            guard FileManager.default.fileExists(atPath: absolute(argument)) else {
                throw .labNotFound(name: argument, looked: [argument])
            }
            return try fromFile(argument, word: argument, allowMissingSpec: allowMissingSpec)
        }
        let files = candidates(for: argument)
        let file = files.first { FileManager.default.fileExists(atPath: absolute($0)) }
        let record = try store.record(argument)
        // A lab that exists is found by its name from any directory: the installed labs are
        // only defaults, so they never compete with the spec a recorded lab was made from.
        if let record, let file, let home, absolute(file).hasPrefix(home + "/"),
            FileManager.default.fileExists(atPath: record.spec)
        {
            return try fromRecord(record, allowMissingSpec: allowMissingSpec)
        }
        if let file { return try fromFile(file, word: argument, allowMissingSpec: allowMissingSpec) }
        if let record { return try fromRecord(record, allowMissingSpec: allowMissingSpec) }
        // A likely typo of a lab at hand (a spec here or in ./labs, or a recorded lab) is named.
        let known =
            (specFiles() + homeSpecFiles()).map {
                (($0 as NSString).lastPathComponent as NSString).deletingPathExtension
            } + store.all().map(\.lab)
        throw .spec(
            .notFound(
                name: argument, looked: files + ["a lab recorded as \(argument) in \(store.directory)"],
                near: suggestion(for: argument, among: Array(Set(known)).sorted())))
    }

    /// `ssh-setup VM` and `ssh VM`: the lab that has that VM.
    public func find(vm: String, lab: String?) throws(VBoxLabError) -> FoundLab {
        if lab != nil { return try find(lab) }
        let recorded = store.all().filter { $0.vms.contains(vm) }
        if recorded.count == 1 { return try fromRecord(recorded[0], allowMissingSpec: false) }
        if recorded.count > 1 {
            throw .ambiguous(
                what: "labs with a VM named \(vm)", candidates: recorded.map { "\($0.lab) (\($0.spec))" },
                fix: "name one with --lab LAB")
        }
        // Each spec here read once: for the one that has the VM, else for the message naming them all.
        let here = specFiles().compactMap { f -> (String, LabSpec)? in
            (try? LabLoader.load(absolute(f), rules: ProviderRegistry.specRules)).map { (f, $0) }
        }
        let specs = here.filter { $0.1.vm(named: vm) != nil }
        if specs.count == 1 { return try fromFile(specs[0].0, word: specs[0].0, allowMissingSpec: false) }
        if specs.count > 1 {
            throw .ambiguous(
                what: "lab specs with a VM named \(vm)", candidates: specs.map(\.0), fix: "name one with --lab LAB")
        }
        throw Self.noVM(vm, labs: labsAtHand(specs: here.map(\.1)))
    }

    /// The labs a VM name may belong to: the recorded ones, then the specs here, each with its VMs.
    private func labsAtHand(specs: [LabSpec]) -> [(lab: String, vms: [String])] {
        var labs = store.all().map { ($0.lab, $0.vms) }
        for spec in specs where !labs.contains(where: { $0.0 == spec.name }) {
            labs.append((spec.name, spec.vms.map(\.name)))
        }
        return labs
    }

    /// A VM no lab has: with one lab at hand, that lab's own "no VM named"; else every lab's VMs.
    private static func noVM(_ vm: String, labs: [(lab: String, vms: [String])]) -> VBoxLabError {
        if labs.count == 1 { return .lab(.noSuchVM(lab: labs[0].lab, vm: vm, vms: labs[0].vms)) }
        return .lab(.noLabWithVM(vm: vm, labs: labs.map { "\($0.lab) (\($0.vms.joined(separator: ", ")))" }))
    }

    /// The files a lab name may be, in the order they are tried.
    public func candidates(for name: String) -> [String] {
        ["\(name).json5", "labs/\(name).json5"] + (home.map { ["\($0)/labs/\(name).json5"] } ?? [])
    }

    func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : "\(directory)/\(path)"
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }

    /// Lab specs in `.` and `./labs`, as relative paths.
    public func specFiles() -> [String] {
        var out: [String] = []
        for (dir, prefix) in [(directory, ""), ("\(directory)/labs", "labs/")] {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            out += files.filter { $0.hasSuffix(".json5") }.sorted().map { prefix + $0 }
        }
        return out
    }

    /// Lab specs in `$VBOXLAB_HOME/labs` (or the installed labs), as absolute paths.
    public func homeSpecFiles() -> [String] {
        guard let home else { return [] }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(home)/labs")) ?? []
        return files.filter { $0.hasSuffix(".json5") }.sorted().map { "\(home)/labs/\($0)" }
    }

    private func findUnnamed(allowMissingSpec: Bool) throws(VBoxLabError) -> FoundLab {
        let (records, unreadable) = store.scan()
        if records.count == 1 && unreadable.isEmpty {
            return try fromRecord(records[0], allowMissingSpec: allowMissingSpec)
        }
        if records.isEmpty, unreadable.count == 1, let u = unreadable.first {
            throw .spec(.unreadableRecord(lab: u.lab, file: u.file, reason: u.reason))
        }
        if records.count + unreadable.count > 1 {
            throw .ambiguous(
                what: "labs recorded on this host",
                candidates: records.map { "\($0.lab) (\($0.spec))" }
                    + unreadable.map { "\($0.lab) (record unreadable: \($0.file))" },
                fix: "name one: vboxlab \(command) LAB")
        }
        let specs = specFiles()
        if specs.count == 1 { return try fromFile(specs[0], word: specs[0], allowMissingSpec: allowMissingSpec) }
        if specs.isEmpty {
            throw .spec(.nothingToFind(command: command))
        }
        throw .ambiguous(what: "lab specs in . and ./labs", candidates: specs, fix: "name one: vboxlab \(command) LAB")
    }

    private func fromRecord(_ record: LabRecord, allowMissingSpec: Bool) throws(VBoxLabError) -> FoundLab {
        do {
            let spec = try LabLoader.load(record.spec, rules: ProviderRegistry.specRules)
            return FoundLab(name: record.lab, spec: spec, specPath: record.spec, record: record, word: record.lab)
        } catch {
            guard allowMissingSpec else { throw error }
            return FoundLab(
                name: record.lab, spec: nil, specPath: record.spec, specError: error, record: record, word: record.lab)
        }
    }

    private func fromFile(_ path: String, word: String, allowMissingSpec: Bool) throws(VBoxLabError) -> FoundLab {
        let full = absolute(path)
        let spec: LabSpec
        do { spec = try LabLoader.load(full, rules: ProviderRegistry.specRules) } catch {
            // A broken spec of a recorded lab: the record still says what to remove.
            if allowMissingSpec, let record = store.all().first(where: { $0.spec == full }) {
                return FoundLab(
                    name: record.lab, spec: nil, specPath: full, specError: error, record: record, word: record.lab)
            }
            throw error
        }
        var found = FoundLab(name: spec.name, spec: spec, specPath: full, record: nil, word: word)
        if let record = try store.record(spec.name) {
            if record.spec != full {
                // Two copies of one file (a clone's labs/ and the installed ones) are one spec.
                if Self.sameContents(record.spec, full) {
                    return try fromRecord(record, allowMissingSpec: allowMissingSpec).with(word: spec.name)
                }
                if FileManager.default.fileExists(atPath: record.spec) {
                    throw .ambiguous(
                        what: "spec files for lab \(spec.name)",
                        candidates: ["\(record.spec) (the lab was created from it)", "\(full) (named now)"],
                        fix:
                            "use the first, or remove the lab first (vboxlab destroy \(spec.name)), or give this one "
                            + "another name"
                    )
                }
                found.notices.append(
                    "lab \(spec.name) was created from \(record.spec), which is gone; it now follows \(full)")
            }
            found.record = record
            found.word = spec.name
        }
        return found
    }

    /// Whether two files hold the same bytes (false when either cannot be read).
    static func sameContents(_ a: String, _ b: String) -> Bool {
        guard let x = FileManager.default.contents(atPath: a), let y = FileManager.default.contents(atPath: b) else {
            return false
        }
        return x == y
    }
}

extension FoundLab {
    func with(word: String) -> FoundLab {
        var f = self
        f.word = word
        return f
    }
}
