import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// What every command works with: where state lives, how programs run (the executable
/// may wrap the runner to show each command), where progress goes, and the environment
/// variables it was started with.
public struct LabEnvironment: Sendable {
    public var paths: StatePaths
    public var runner: CommandRunner
    public var progress: ProgressHandler
    public var variables: [String: String]
    /// The command's undo log, which a signal runs (the executable's handlers are on it).
    public var undo: UndoLog
    /// The command being run, for the "name one: vboxlab COMMAND LAB" lines of the finder.
    public var command = "COMMAND"
    /// Where an installed vboxlab keeps its share (`PREFIX/share/vboxlab`, holding `labs/`).
    public var installedHome: String?

    public init(
        paths: StatePaths = .fromEnvironment(), runner: CommandRunner = ProcessRunner(),
        progress: @escaping ProgressHandler = { _ in },
        variables: [String: String] = ProcessInfo.processInfo.environment, undo: UndoLog = UndoLog()
    ) {
        self.undo = undo
        self.paths = paths
        self.runner = runner
        self.progress = progress
        self.variables = variables
    }

    public var store: LabStore { LabStore(paths: paths) }
    public var finder: LabFinder {
        var f = LabFinder(store: store, installed: installedHome)
        f.command = command
        return f
    }

    /// The provider for `found`: `flag` (`--provider`), else `VBOXLAB_PROVIDER`, else the
    /// record's, else the first of the registry that can work here.
    public func choose(_ found: FoundLab, flag: String?) -> ProviderChoice {
        ProviderChoice.decide(
            flag: flag, environment: variables["VBOXLAB_PROVIDER"], recorded: found.record?.provider,
            lab: found.name, candidates: ProviderChoice.registered)
    }

    /// A provider by name; `recorder` makes it record its changing commands instead of running them.
    public func provider(_ name: String, recorder: RecordingRunner? = nil) throws(VBoxLabError) -> LabProvider {
        let context = ProviderContext(
            reader: runner, dryRun: recorder, progress: progress, store: store, runtime: paths.runtime,
            safeguards: Safeguards(undo))
        return try ProviderRegistry.make(name, context: context)
    }

    /// One command at a time per lab.
    public func lock(_ lab: String) throws(VBoxLabError) -> LabLock {
        try LabLock(lab: lab, directory: paths.runtime, progress: progress)
    }

    /// How long guest setup waits for a guest's way in to answer: `VBOXLAB_SSH_WAIT`, default 180 s (a VM's boot).
    public var guestWait: Double { variables["VBOXLAB_SSH_WAIT"].flatMap(Double.init) ?? Self.defaultGuestWait }
    public static let defaultGuestWait: Double = GuestWait.boot
    /// `VBOXLAB_SSH_WAIT` when set: create and fix-macs otherwise size the wait by `GuestWait`'s rule.
    public var guestWaitSetting: Double? { variables["VBOXLAB_SSH_WAIT"].flatMap(Double.init) }

    /// The variables every command reads, with what they mean, for `--help`.
    public static let documented: [(name: String, meaning: String)] = [
        (
            "VBOXLAB_SSH_WAIT",
            "seconds create waits for a guest's ssh to answer (default \(formatSeconds(defaultGuestWait)), and 60 s "
                + "more for each VM booting under software emulation beyond the host's cores)"
        )
    ]

    /// Refuses a variable whose value cannot mean anything, before any lab is looked up:
    /// a typo there must not silently become the default.
    public func validateVariables() throws(VBoxLabError) {
        if let p = variables["VBOXLAB_PROVIDER"], !p.isEmpty, !ProviderRegistry.names.contains(p) {
            throw .usage(
                message: "VBOXLAB_PROVIDER=\(p): " + notAChoice(p, noun: "provider", values: ProviderRegistry.names),
                usage: "unset it, or set it to one of \(ProviderRegistry.names.joined(separator: ", "))")
        }
        if let w = variables["VBOXLAB_SSH_WAIT"], !w.isEmpty, !(Double(w).map { $0 > 0 && $0.isFinite } ?? false) {
            throw .usage(
                message: "VBOXLAB_SSH_WAIT=\(w) is not a number of seconds above 0",
                usage:
                    "unset it (\(formatSeconds(Self.defaultGuestWait)) s), or set it to seconds, such as "
                    + "VBOXLAB_SSH_WAIT=600"
            )
        }
    }
}
