import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// The commands vboxlab prints after `fix:`, spelled so they work when pasted: the lab
/// as the user can name it, `--provider` only where the record would not choose it, and the
/// `--strategy` the user gave to the command that builds the lab.
public struct FixCommands: Sendable, Equatable {
    /// The lab as a command-line word: its recorded name, or the path it was found at.
    public var lab: String
    /// Set when the provider must be given (no record, or the record names another).
    public var provider: String?
    /// The strategy the user chose on the command line, kept by create and fix-macs lines.
    public var strategy: Strategy?

    public init(lab: String, provider: String?, strategy: Strategy? = nil) {
        self.lab = lab
        self.provider = provider
        self.strategy = strategy
    }

    public func argv(_ words: [String]) -> [String] {
        ["vboxlab"] + words + (provider.map { ["--provider", $0] } ?? [])
    }
    public func line(_ words: [String]) -> String { argv(words).map(shellQuote).joined(separator: " ") }

    /// create or fix-macs with the user's strategy; `registering` drops a strategy of none,
    /// for a cause only registrations mend (none registers nothing, so it would change nothing).
    public func build(_ command: String, _ options: [String] = [], registering: Bool = false) -> String {
        let kept = registering && strategy == Strategy.none ? nil : strategy
        return line([command, lab] + options + (kept.map { ["--strategy", $0.rawValue] } ?? []))
    }

    public var fixMacs: String { build("fix-macs", registering: true) }
    public var create: String { build("create") }
    public func trace(_ from: String, _ to: String) -> String { line(["check", lab, "--pair", from, to, "--capture"]) }
}
