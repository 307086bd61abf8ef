import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Which provider a command uses, as a pure decision: `--provider`, then
/// `VBOXLAB_PROVIDER`, then the provider the lab was made with; a lab that does not exist
/// yet gets the first provider, by priority, that can work on this host.
public struct ProviderChoice: Sendable, Equatable {
    public var name: String
    /// One line for stderr when the choice may surprise (the preferred provider is missing).
    /// What a create says about the choice: one short line each (empty when nothing is worth saying).
    public var notice: [String]
    /// Whether the record alone would not choose this provider (then a pasted command must say it).
    public var mustBeNamed: Bool

    public init(name: String, notice: [String] = [], mustBeNamed: Bool = false) {
        self.name = name
        self.notice = notice
        self.mustBeNamed = mustBeNamed
    }

    /// A provider as the choice sees it: its name, its summary for the notice, and whether it can work here.
    public struct Candidate: Sendable {
        public var name: String
        public var summary: String
        public var availability: ProviderAvailability
        public init(name: String, summary: String, availability: ProviderAvailability) {
            self.name = name
            self.summary = summary
            self.availability = availability
        }
    }

    /// The registry's providers, highest priority first, each asked whether it can work here.
    public static var registered: [Candidate] {
        ProviderRegistry.entries.map { Candidate(name: $0.name, summary: $0.summary, availability: $0.availability()) }
    }

    /// `candidates` highest priority first. With none available, the first: its
    /// prerequisites then say what is missing.
    public static func decide(
        flag: String?, environment: String?, recorded: String?, lab: String,
        candidates: [Candidate]
    ) -> ProviderChoice {
        if let explicit = flag ?? environment.flatMap({ $0.isEmpty ? nil : $0 }) {
            return ProviderChoice(name: explicit, notice: [], mustBeNamed: explicit != recorded)
        }
        if let recorded { return ProviderChoice(name: recorded, notice: [], mustBeNamed: false) }
        guard let preferred = candidates.first else { return ProviderChoice(name: "") }
        guard let chosen = candidates.first(where: { $0.availability.isAvailable }), chosen.name != preferred.name
        else {
            return ProviderChoice(name: preferred.name, notice: [], mustBeNamed: false)
        }
        guard case .unavailable(let reason, let fix) = preferred.availability else {
            return ProviderChoice(name: chosen.name)
        }
        return ProviderChoice(
            name: chosen.name,
            notice: [
                "\(reason): lab \(lab) runs in \(chosen.summary) (--provider \(chosen.name))",
                "for \(preferred.summary), \(fix)",
            ],
            mustBeNamed: true)
    }
}
