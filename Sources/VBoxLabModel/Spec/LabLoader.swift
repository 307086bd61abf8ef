import Foundation

/// Reads, decodes and validates a lab spec file.
public enum LabLoader {
    /// Rules a spec must meet beyond its own: what the providers reserve, as (JSON path, message).
    public typealias ExtraRules = @Sendable (LabSpec) -> [(path: String, message: String)]

    /// Reads the spec file at `file` (the finding rules, in `LabFinder`, chose it).
    public static func load(_ file: String, rules: ExtraRules = { _ in [] }) throws(VBoxLabError) -> LabSpec {
        guard FileManager.default.fileExists(atPath: file) else { throw .labNotFound(name: file, looked: [file]) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .unreadable(file: file, reason: "permission denied or not a file")
        }
        return try parse(data, file: file, rules: rules)
    }

    /// Decodes and validates spec text; `file` only names it in messages.
    public static func parse(_ data: Data, file: String, rules: ExtraRules = { _ in [] }) throws(VBoxLabError)
        -> LabSpec
    {
        let document: JSONValue
        do { document = try JSONValue.parseJSON5(data) } catch { throw .syntax(file: file, error) }
        var reader = SpecReader(file: file)
        let spec = reader.read(document)
        var validator = SpecValidator(walker: reader.walker)
        validator.validate(spec)
        for (path, message) in rules(spec) { validator.walker.error(path, message) }
        let diagnostics = validator.walker.diagnostics
        if !diagnostics.isEmpty { throw .invalidSpec(diagnostics) }
        return spec
    }
}
