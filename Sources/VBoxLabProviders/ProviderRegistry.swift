import Foundation
import VBoxLabHost
import VBoxLabModel

/// Whether a provider can work on this host, and if not, why and what gets it.
public enum ProviderAvailability: Sendable, Equatable {
    case available
    case unavailable(reason: String, fix: String)

    public var isAvailable: Bool { self == .available }
}

/// Everything the command line and the lifecycle need to know of a provider without
/// naming it: what it is called, what it builds, whether it can work here, which spec
/// rules it adds, and how to make one. A provider is one folder and one of these.
public struct ProviderDescriptor: Sendable {
    public typealias Maker = @Sendable (ProviderContext) throws(VBoxLabError) -> LabProvider

    /// The name users type (`--provider NAME`) and records keep.
    public var name: String
    /// What it builds a lab from, in a few words ("network namespaces").
    public var summary: String
    /// What one VM of a lab is on the host, for counts ("namespace", "VM").
    public var noun: String
    /// The order a new lab that names no provider tries them in: highest first.
    public var priority: Int
    /// A cheap look (a program on PATH, root): no program is run.
    public var availability: @Sendable () -> ProviderAvailability
    /// Environment variables it reads, for `--help`.
    public var environment: [(name: String, meaning: String)]
    /// Spec rules of its own, as (JSON path, message): names it reserves on the host.
    public var specRules: @Sendable (LabSpec) -> [(path: String, message: String)]
    public var make: Maker

    public init(
        name: String, summary: String, noun: String, priority: Int,
        availability: @escaping @Sendable () -> ProviderAvailability,
        environment: [(name: String, meaning: String)] = [],
        specRules: @escaping @Sendable (LabSpec) -> [(path: String, message: String)] = { _ in [] },
        make: @escaping Maker
    ) {
        self.name = name
        self.summary = summary
        self.noun = noun
        self.priority = priority
        self.availability = availability
        self.environment = environment
        self.specRules = specRules
        self.make = make
    }
}

/// Providers by name: adding one is a folder and a line in `entries`.
public enum ProviderRegistry {
    /// Highest priority first. Namespaces, taps and the registering switch exist on Linux only.
    public static let entries: [ProviderDescriptor] = {
        var all = [VirtualBoxProvider.descriptor]
        if Platform.isLinux { all += [NetnsProvider.descriptor, QemuProvider.descriptor] }
        return all.sorted { $0.priority > $1.priority }
    }()

    public static var names: [String] { entries.map(\.name) }

    public static func descriptor(_ name: String) -> ProviderDescriptor? { entries.first { $0.name == name } }

    /// The error for a name no provider has, with the valid ones and a likely typo's fix.
    public static func unknown(_ name: String) -> VBoxLabError {
        .usage(
            message: notAChoice(name, noun: "provider", values: names),
            usage: "USAGE: vboxlab <command> [LAB] --provider \(names.joined(separator: "|"))")
    }

    public static func make(_ name: String, context: ProviderContext) throws(VBoxLabError) -> LabProvider {
        guard let entry = descriptor(name) else { throw unknown(name) }
        return try entry.make(context)
    }

    /// Every provider's spec rules: a spec must be usable on any of them.
    public static func specRules(_ spec: LabSpec) -> [(path: String, message: String)] {
        entries.flatMap { $0.specRules(spec) }
    }
}
