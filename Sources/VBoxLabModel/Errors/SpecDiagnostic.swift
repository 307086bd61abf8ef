/// One problem in a spec file, compiler-style: `FILE: vms[1].nics[0].ip: MESSAGE`.
public struct SpecDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// JSON path of the offending value (`vms[1].nics[0].ip`), or "" for the document.
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// Escaped for the terminal as a whole: a path names keys from the spec, and a file
    /// name may hold anything, so no part can be trusted to be free of control characters.
    public var description: String {
        (path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)").escapedForTerminal
    }
}

/// Where and why a spec file is not JSON5.
public struct JSON5SyntaxError: Error, Equatable, Sendable {
    public var line: Int?
    public var column: Int?
    public var message: String
}
