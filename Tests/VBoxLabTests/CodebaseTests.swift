import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The codebase's own rules, checked on its sources: the seam stays closed, layers point
/// one way, functions stay short enough to read at once.
@Suite struct CodebaseTests {
    static let sources = "\(packageRoot)/Sources"

    static func swiftFiles(under dir: String) -> [(path: String, text: String)] {
        let files =
            FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
            ?? []
        return files.sorted().compactMap { f in
            (try? String(contentsOfFile: "\(dir)/\(f)", encoding: .utf8)).map { ("\(dir)/\(f)", $0) }
        }
    }

    /// Nothing outside `Sources/VBoxLabProviders` names a provider: help, completion, the
    /// default choice and spec rules come from the registry.
    @Test func noProviderIsNamedOutsideProviders() {
        let names =
            ProviderRegistry.names.map { "\"\($0)\"" } + ["VirtualBoxProvider", "NetnsProvider", "QemuProvider"]
        var found: [String] = []
        for (path, text) in Self.swiftFiles(under: Self.sources) where !path.contains("/Sources/VBoxLabProviders/") {
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where names.contains(where: line.contains) {
                found.append("\(path):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// No code outside `Sources/VBoxLabProviders` holds a provider's own fact (an identifier such
    /// as `virtualBoxVMs`): strings and comments may talk of them, the code asks the provider.
    /// The plan's MACs carry VirtualBox's prefix for every provider, and ip's own keywords
    /// include "netns": those two are the model's.
    @Test func noProviderFactLivesOutsideProviders() throws {
        let word = try Regex("(?i)virtualbox|qemu|netns")
        let strings = try Regex(#""(\\.|[^"\\])*""#)
        let allowed = ["MACAllocator.swift", "InterfaceNameRule.swift"]
        var found: [String] = []
        for (path, text) in Self.swiftFiles(under: Self.sources)
        where !path.contains("/Sources/VBoxLabProviders/") && !allowed.contains(where: path.hasSuffix) {
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                var code = String(line.replacing(strings, with: "\"\""))
                if let comment = code.firstRange(of: "//") { code = String(code[..<comment.lowerBound]) }
                if code.firstMatch(of: word) != nil {
                    found.append("\(path):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// The transaction is the library's: no provider names the undo log or the record's pending
    /// state; a step's undo goes through `Safeguards`, which the lifecycle's log runs.
    @Test func providersNeverTouchTheUndoLogOrThePendingRecord() {
        let words = ["UndoLog", ".push(", "pending = ", "pending: true", "store.save("]
        var found: [String] = []
        for (path, text) in Self.swiftFiles(under: "\(Self.sources)/VBoxLabProviders") {
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where words.contains(where: line.contains) {
                found.append("\(path):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// A write, delete or stop whose failure is let go says why, on its line or the one above:
    /// `try?` is for a failure that truly does not matter, and the reader should not have to guess.
    @Test func everyIgnoredWriteSaysWhy() throws {
        let writes = try Regex(
            #"try\? .*(save\(|removeItem|createDirectory|DurableFile\.write|\.write\("#
                + #"|"kill"|"umount"|unregistervm|powerOff)"#)
        var found: [String] = []
        for (path, text) in Self.swiftFiles(under: Self.sources) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, line) in lines.enumerated() where line.firstMatch(of: writes) != nil {
                let said =
                    line.contains("//") || (i > 0 && lines[i - 1].trimmingCharacters(in: .whitespaces).hasPrefix("//"))
                if !said { found.append("\(path):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))") }
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// The model is pure: it starts no process and writes nothing; the one file it reads is a
    /// spec (`LabLoader`). What touches the host lives in the layers above it.
    @Test func theModelTouchesNoHost() {
        let host = [
            "ProcessRunner", "ChildProcess", "posix_spawn", "ProcessInfo", "write(toFile", "createFile",
            "removeItem", "createDirectory", "import Glibc", "import Darwin", "Cleanup",
        ]
        var found: [String] = []
        for (path, text) in Self.swiftFiles(under: "\(Self.sources)/VBoxLabModel") {
            for word in host where text.contains(word) { found.append("\(path): \(word)") }
            if text.contains("FileManager") && !path.hasSuffix("/Spec/LabLoader.swift") {
                found.append("\(path): FileManager")
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// Package.swift is the architecture: each layer depends only on the layers below it, in
    /// the order the lifecycle sits on them, and every source folder is one of them.
    @Test func layersAreTargetsInOneDirection() throws {
        let manifest = try String(contentsOfFile: "\(packageRoot)/Package.swift", encoding: .utf8)
        let order = ["VBoxLabModel", "VBoxLabHost", "VBoxLabProviders", "VBoxLabGuest", "VBoxLabCheck"]
        let listed = order.map { "\"\($0)\"" }.joined(separator: ", ")
        #expect(manifest.contains("let layers: [Target.Dependency] = [\(listed)]"))
        for (i, layer) in order.enumerated() {
            // The target's declaration: from its name to the parenthesis that closes it.
            let after = try #require(manifest.range(of: "name: \"\(layer)\""), "no target \(layer)")
            let declaration = manifest[after.upperBound...].prefix { $0 != ")" }
            let above = order.suffix(from: i + 1).filter { declaration.contains("\"\($0)\"") }
            #expect(above.isEmpty, "\(layer) depends on \(above), which sit above it")
        }
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.sources).sorted()
        #expect(folders == (order + ["VBoxLab", "vboxlab"]).sorted(), "\(folders)")
    }

    /// No function, initializer or computed property body is longer than 60 lines.
    @Test func functionsAreShort() {
        var long: [String] = []
        for (path, text) in Self.swiftFiles(under: Self.sources) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (i, line) in lines.enumerated() where Self.opensBody(line) {
                if let n = Self.bodyLength(lines, from: i), n > 60 { long.append("\(path):\(i + 1): \(n) lines") }
            }
        }
        #expect(long.isEmpty, "\(long.joined(separator: "\n"))")
    }

    /// One idea a file: none grows past 300 lines (the formatter's lines).
    @Test func filesAreShort() {
        let long = Self.swiftFiles(under: Self.sources).compactMap { path, text -> String? in
            let n = text.split(separator: "\n", omittingEmptySubsequences: false).count
            return n > 300 ? "\(path): \(n) lines" : nil
        }
        #expect(long.isEmpty, "\(long.joined(separator: "\n"))")
    }

    /// No line of Swift over 120 characters, tests included: what the formatter cannot wrap
    /// (a long literal) is split by hand.
    @Test func linesFitIn120Columns() {
        let long = ["Sources", "Tests"].flatMap { Self.swiftFiles(under: "\(packageRoot)/\($0)") }.flatMap {
            path, text in
            text.components(separatedBy: "\n").enumerated()
                .filter { $0.element.count > 120 }.map { "\(path):\($0.offset + 1)" }
        }
        #expect(long.isEmpty, "\(long.prefix(20).joined(separator: "\n"))")
    }

    /// Every option is read through its declaration (`a.flag(Options.dryRun)`): a name typed a
    /// second time could be misspelt and read as absent.
    @Test func noOptionIsReadByAString() throws {
        let byName = try Regex(#"\.(flag|value|choice)\(""#)
        let found = Self.swiftFiles(under: "\(packageRoot)/Sources/vboxlab").filter { $0.text.contains(byName) }
        #expect(found.isEmpty, "\(found.map(\.path))")
    }

    static func opensBody(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard !t.hasPrefix("//") else { return false }
        return t.range(of: #"\b(func|init)\b[^=]*\("#, options: .regularExpression) != nil
    }

    /// Lines from the declaration to the brace that closes its body (strings and comments skipped).
    static func bodyLength(_ lines: [String], from start: Int) -> Int? {
        var depth = 0
        var opened = false
        for j in start..<lines.count {
            var code = lines[j].replacingOccurrences(of: #""(\\.|[^"\\])*""#, with: "\"\"", options: .regularExpression)
            if let c = code.range(of: "//") { code = String(code[..<c.lowerBound]) }
            for ch in code {
                if ch == "{" {
                    depth += 1
                    opened = true
                } else if ch == "}" {
                    depth -= 1
                }
            }
            if opened && depth <= 0 { return j - start + 1 }
            if !opened && j > start + 3 { return nil }
        }
        return nil
    }

    /// Glibc and Darwin are imported in `Platform/` only (and by the Linux-only namespaces).
    @Test func systemLibrariesStayInPlatform() {
        let offenders = Self.swiftFiles(under: Self.sources).filter { path, text in
            !path.contains("/Platform/") && !path.contains("/Providers/Netns/")
                && (text.contains("import Glibc") || text.contains("import Darwin"))
        }.map(\.path)
        #expect(offenders.isEmpty, "\(offenders)")
    }

    /// The registry: every provider once, highest priority first, namespaces only where Linux is.
    @Test func registryOrdersProvidersAndKnowsThePlatform() {
        let entries = ProviderRegistry.entries
        #expect(Set(entries.map(\.name)).count == entries.count)
        #expect(entries.map(\.priority) == entries.map(\.priority).sorted(by: >))
        #expect(entries.first?.name == "virtualbox")
        #expect(entries.contains { $0.name == "netns" } == Platform.isLinux)
        #expect(
            ProviderRegistry.descriptor("netns")?.noun == "namespace"
                && ProviderRegistry.descriptor("virtualbox")?.noun == "VM")
    }
}

/// What the repository's scripts may not do to a machine: name any host to fetch from (apt,
/// debootstrap and pip use the machine's own sources or their defaults, so no address of a
/// registry or mirror is written down), or run Mininet's global clean-up (it deletes every
/// /tmp/*.log and other users' state).
@Test func scriptsNameNoHostAndCleanOnlyTheirOwn() throws {
    let files =
        ["scripts", ".ci"].flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(packageRoot)/\(dir)")) ?? []).map {
                "\(packageRoot)/\(dir)/\($0)"
            }
        } + ["\(packageRoot)/README.md", "\(packageRoot)/Tests/README.md", "\(packageRoot)/labs/README.md"]
    #expect(files.count > 8)
    // An address with a dotted host name; `file://`, `http://…` and 127.0.0.1 name no host.
    // The one page named is where Swift itself is installed from, for a machine without it.
    let address = try Regex(#"(https?|ftp)://[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)+"#)
    let allowed: Set = ["https://www.swift.org"]
    let globalClean = try Regex(#"(^|[;&|(]\s*|\s)mn\s+(-c|--clean)\b"#)
    for file in files {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let named = text.matches(of: address).map { String(text[$0.range]) }.filter { !allowed.contains($0) }
        #expect(named.isEmpty, "\(file) names a host: \(named)")
        let code = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        #expect(!code.contains { $0.firstMatch(of: globalClean) != nil }, "\(file) runs Mininet's global clean-up")
    }
}
