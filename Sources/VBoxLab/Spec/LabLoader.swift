import Foundation

/// Finds, reads, decodes and validates a lab: `NAME` means `labs/NAME.json5`
/// (under the current directory, then beside the executable's package); a path works too.
public enum LabLoader {
    public static func load(_ nameOrPath: String, searchRoots: [String]? = nil) throws(VBoxLabError) -> LabSpec {
        let file = try locate(nameOrPath, searchRoots: searchRoots ?? defaultRoots())
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .unreadable(file: file, reason: "permission denied or not a file")
        }
        return try parse(data, file: file)
    }

    /// Decodes and validates spec text; `file` only names it in messages.
    public static func parse(_ data: Data, file: String) throws(VBoxLabError) -> LabSpec {
        let document: JSONValue
        do { document = try JSONValue.parseJSON5(data) } catch { throw .syntax(file: file, error) }
        var reader = SpecReader(file: file)
        let spec = reader.read(document)
        var validator = SpecValidator(walker: reader.walker)
        validator.validate(spec)
        let diagnostics = validator.walker.diagnostics
        if !diagnostics.isEmpty { throw .invalidSpec(diagnostics) }
        return spec
    }

    static func locate(_ nameOrPath: String, searchRoots: [String]) throws(VBoxLabError) -> String {
        let fm = FileManager.default
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json5") || nameOrPath.hasSuffix(".json")
        if looksLikePath {
            if fm.fileExists(atPath: nameOrPath) { return nameOrPath }
            throw .labNotFound(name: nameOrPath, looked: [nameOrPath])
        }
        let candidates = searchRoots.map { root in root.isEmpty ? "labs/\(nameOrPath).json5" : "\(root)/labs/\(nameOrPath).json5" }
        if let found = candidates.first(where: { fm.fileExists(atPath: $0) }) { return found }
        var unique: [String] = []
        for c in candidates where !unique.contains(c) { unique.append(c) }
        throw .labNotFound(name: nameOrPath, looked: unique)
    }

    /// The current directory first, then `VBOXLAB_HOME` when set.
    static func defaultRoots() -> [String] {
        var roots = [""]
        if let home = ProcessInfo.processInfo.environment["VBOXLAB_HOME"], !home.isEmpty { roots.append(home) }
        return roots
    }

    /// Names of the labs in `labs/` (for `ssh-setup VM` without `--lab`).
    public static func labNames(searchRoots: [String]? = nil) -> [String] {
        let root = (searchRoots ?? defaultRoots()).first ?? ""
        let dir = root.isEmpty ? "labs" : "\(root)/labs"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return files.filter { $0.hasSuffix(".json5") }.map { String($0.dropLast(6)) }.sorted()
    }
}
