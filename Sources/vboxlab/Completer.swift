import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// What a word of the command line can be, for the shells' completion: `vboxlab __complete
/// WORD... CURRENT` prints one candidate a line (`word`, or `word<TAB>what it is`). The three
/// shell scripts only pass the words and show the answer, so bash, zsh and fish offer the
/// same things: commands, options (after `-`), an enumerated option's values (the list the
/// parser checks), the VMs of the lab at hand, and lab names and spec paths. A directory ends
/// with `/`, so the shell adds no space after it.
struct Completer {
    struct Candidate: Equatable {
        var word: String
        var help: String? = nil
    }

    let finder: LabFinder

    /// The global options, as `CLI.takeGlobalOptions` and `dispatch` read them.
    static let globals: [Candidate] = [
        .init(word: "--color", help: "auto, always or never"), .init(word: "--help", help: "the commands"),
        .init(word: "--quiet", help: "no progress lines"),
        .init(word: "--verbose", help: "every external command as it runs"),
        .init(word: "--version", help: "the version and the source commit"), .init(word: "-q"), .init(word: "-v"),
    ]
    static let colors = Output.ColorWhen.allCases.map(\.rawValue)

    /// `words`: what follows `vboxlab`, the word being completed last (empty after a space).
    func complete(_ words: [String]) -> [Candidate] {
        var before = words
        let current = before.popLast() ?? ""
        var i = 0
        while i < before.count, before[i].hasPrefix("-") { i += before[i] == "--color" ? 2 : 1 }
        let out: [Candidate]
        if i > before.count {
            out = plain(Self.colors)
        }  // the word after a global --color
        else if i == before.count {
            out =
                current.hasPrefix("-")
                ? Self.globals
                : Commands.specs.map { Candidate(word: $0.name, help: $0.summary) }
                    + Commands.specs.flatMap { s in s.aliases.map { Candidate(word: $0, help: "the same as \(s.name)") }
                    }
                    + [
                        .init(word: "completion", help: "a completion script for bash, zsh or fish"),
                        .init(word: "help", help: "help on a command"),
                        .init(word: "man-page", help: "this manual in roff"),
                    ]
        } else {
            out = afterCommand(before[i], Array(before[(i + 1)...]), current)
        }
        return out.filter { $0.word.hasPrefix(current) }
    }

    private func afterCommand(_ word: String, _ rest: [String], _ current: String) -> [Candidate] {
        if word == "completion" { return rest.isEmpty ? plain(["bash", "zsh", "fish"]) : [] }
        if word == "help" { return rest.isEmpty ? plain(Commands.specs.map(\.name)) : [] }
        guard let spec = Commands.named(word)?.configuration, !rest.contains("--") else { return [] }
        let read = Self.read(rest, spec)
        if let option = read.pending {
            if let choices = option.choices { return plain(choices.values) }
            if option.name == "lab" { return labs(current) }
            if option.name == "pair" { return plain(vms(lab: read.positionals.first)) }
            return []
        }
        if current.hasPrefix("--"), let eq = current.firstIndex(of: "="),
            let o = spec.options.first(where: {
                $0.name == current[current.index(current.startIndex, offsetBy: 2)..<eq]
            })
        {
            return plain((o.choices?.values ?? []).map { "--\(o.name)=\($0)" })
        }
        if current.hasPrefix("-") {
            return spec.options.map { Candidate(word: "--\($0.name)", help: $0.help) } + [
                .init(word: "--help", help: "help on \(spec.name)")
            ]
        }
        guard read.positionals.count < spec.arguments.count else { return [] }
        let first = read.positionals.first
        switch spec.arguments[read.positionals.count] {
        // capture and snapshot take their LAB only before another word: offer both.
        case Options.lab where spec.name == "capture": return labs(current) + plain(nics(lab: nil))
        case Options.lab where spec.name == "snapshot": return labs(current) + plain(Snapshot.actions)
        case Options.lab: return labs(current)
        case "VM": return plain(vms(lab: read.values["lab"]))
        case "VM[:SLOT|NETWORK]": return plain(nics(lab: first))
        case "save|restore|list|delete": return plain(Snapshot.actions)
        case "NAME?":
            let action = read.positionals.last ?? ""
            guard ["restore", "delete"].contains(action) else { return [] }
            let lab = read.positionals.count > 1 ? first : nil
            return plain((try? finder.find(lab, allowMissingSpec: true))?.record?.snapshots?.map(\.name) ?? [])
        default: return []
        }
    }

    /// Each VM of the lab at hand, and each of its lab NICs as VM:SLOT.
    func nics(lab: String?) -> [String] {
        guard let found = try? finder.find(lab), let spec = found.spec, let plan = try? Solver.plan(spec, strategy: nil)
        else { return vms(lab: lab) }
        return spec.vms.flatMap { vm in [vm.name] + plan.nics(of: vm.name).map { "\(vm.name):\($0.slot)" } }
    }

    /// The words before the current one, read as the parser reads them: positionals, option
    /// values, and the option whose value the current word is (`--pair A B` takes two).
    static func read(_ rest: [String], _ spec: CommandSpec) -> (
        positionals: [String], values: [String: String], pending: OptionSpec?
    ) {
        var positionals: [String] = []
        var values: [String: String] = [:]
        var i = 0
        while i < rest.count {
            let w = rest[i]
            i += 1
            guard w.hasPrefix("--"), !w.contains("="), let o = spec.options.first(where: { "--\($0.name)" == w }),
                let name = o.valueName
            else {
                if !w.hasPrefix("-") { positionals.append(w) }
                continue
            }
            let arity = name.split(separator: " ").count
            if i + arity > rest.count { return (positionals, values, o) }
            values[o.name] = rest[i..<(i + arity)].joined(separator: " ")
            i += arity
        }
        return (positionals, values, nil)
    }

    func plain(_ words: [String]) -> [Candidate] { words.map { Candidate(word: $0) } }

    /// The VMs of the lab named, else of the lab a command would take (the one recorded, or
    /// the one spec here), else of every lab at hand: a VM name is worth offering even where
    /// the lab is still ambiguous.
    func vms(lab: String?) -> [String] {
        if let found = try? finder.find(lab, allowMissingSpec: true) {
            return found.spec?.vms.map(\.name) ?? found.record?.vms ?? []
        }
        // Not found as a command would find it (ambiguous, or a spec that a record of
        // another file claims): what the record and the spec files at hand say.
        var names = finder.store.all().filter { lab == nil || $0.lab == lab }.flatMap(\.vms)
        let files =
            lab.map { $0.contains("/") || $0.hasSuffix(".json5") ? [$0] : finder.candidates(for: $0) }
            ?? finder.specFiles()
        for file in files {
            let path = file.hasPrefix("/") ? file : "\(finder.directory)/\(file)"
            if let spec = try? LabLoader.load(path, rules: ProviderRegistry.specRules) { names += spec.vms.map(\.name) }
        }
        return unique(names)
    }

    /// Lab names (specs here, in ./labs and in the labs' home, and recorded labs), each once,
    /// and spec paths: directories and, inside one, its `.json5` files.
    func labs(_ current: String) -> [Candidate] {
        let fm = FileManager.default
        let slash = current.lastIndex(of: "/")
        let dir = slash.map { String(current[...$0]) } ?? ""
        let full = dir.hasPrefix("/") ? dir : "\(finder.directory)/\(dir)"
        let entries = ((try? fm.contentsOfDirectory(atPath: full.isEmpty ? "." : full)) ?? []).sorted()
            .filter { !$0.hasPrefix(".") || current.dropFirst(dir.count).hasPrefix(".") }
        let dirs = entries.filter { CLIPaths.isDirectory(full + $0) }.map { Candidate(word: dir + $0 + "/") }
        guard slash == nil else { return dirs + plain(entries.filter { $0.hasSuffix(".json5") }.map { dir + $0 }) }
        let names =
            (finder.specFiles() + finder.homeSpecFiles()).map {
                (($0 as NSString).lastPathComponent as NSString).deletingPathExtension
            }
            + finder.store.all().map(\.lab)
        return plain(unique(names).sorted()) + dirs
    }

    private func unique(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}

enum CLIPaths {
    static func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }
}
