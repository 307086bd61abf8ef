/// The commands vboxlab prints after `fix:`, spelled so they work when pasted: the lab
/// as the user can name it, and `--provider` only where the record would not choose it.
public struct FixCommands: Sendable, Equatable {
    /// The lab as a command-line word: its recorded name, or the path it was found at.
    public var lab: String
    /// Set when the provider must be given (no record, or the record names another).
    public var provider: String?

    public init(lab: String, provider: String?) {
        self.lab = lab
        self.provider = provider
    }

    public func argv(_ words: [String]) -> [String] {
        ["vboxlab"] + words + (provider.map { ["--provider", $0] } ?? [])
    }
    public func line(_ words: [String]) -> String { argv(words).map(shellQuote).joined(separator: " ") }

    public var fixMacs: String { line(["fix-macs", lab]) }
    public var create: String { line(["create", lab]) }
    public func trace(_ from: String, _ to: String) -> String { line(["check", lab, "--pair", from, to, "--capture"]) }
}
