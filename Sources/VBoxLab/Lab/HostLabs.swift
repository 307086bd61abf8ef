import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Every lab vboxlab made on this host, from their records: `list`, `destroy --all`, and
/// the shared bases that providers with that capability keep (`prune-bases`).
public struct HostLabs: Sendable {
    public let environment: LabEnvironment
    public init(environment: LabEnvironment) { self.environment = environment }

    /// One recorded lab as `list` shows it.
    public struct Listing: Sendable {
        public var record: LabRecord
        /// nil when the lab's provider cannot be made here.
        public var survey: LabSurvey?
        public var specExists: Bool
        /// running, stopped, saved or partial; nil when the provider cannot be read here.
        public var state: LabRunState? {
            survey.map { LabRunState.of(running: $0.running, total: $0.total, rest: record.rest) }
        }
    }

    /// Record files that cannot be read: shown, never skipped in silence.
    public func unreadable() -> [(lab: String, file: String, reason: String)] { environment.store.scan().unreadable }

    public func list() -> [Listing] {
        environment.store.all().map { r in
            var survey = (try? environment.provider(r.provider))?.survey(r)
            // Put away by stop: that is what the lab is, not a difference from its record.
            if let rest = r.rest, survey?.running == 0 {
                survey?.matches = true
                survey?.note =
                    "\(rest.saved.isEmpty ? "stopped" : "saved") since \(rest.since) (vboxlab start \(r.lab))"
            }
            if let stranded = r.stranded, !stranded.isEmpty {
                // An undo that could not delete everything: what is left is still the lab's.
                survey?.matches = false
                survey?.note =
                    "needs destroy: an undo could not delete \(stranded.joined(separator: ", ")) (vboxlab destroy "
                    + "\(r.lab))"
            }
            // Shut down to be changed by a run that was stopped before it started them again.
            if let stopped = r.stopped, !stopped.isEmpty, survey?.note == nil,
                survey.map({ $0.running < $0.total }) == true
            {
                survey?.matches = false
                survey?.note =
                    "shut down by an interrupted run to be changed: \(stopped.joined(separator: ", ")) (vboxlab "
                    + "fix-macs \(r.lab) --restart starts \(stopped.count == 1 ? "it" : "them"))"
            }
            if let notSetUp = r.guestsNotSetUp, !notSetUp.isEmpty, survey?.note == nil {
                survey?.note =
                    "guests not set up: \(notSetUp.joined(separator: ", ")) (vboxlab ssh-setup \(notSetUp[0]))"
            }
            // Everything is where the record says, but the lab did not work when last checked.
            if survey?.note == nil, let kept = try? environment.store.keptCheck(r.lab, word: r.lab) {
                let failed = kept.filter { !$0.ok }.count
                if failed > 0 {
                    survey?.note = "last check: \(failed) of \(kept.count) pairs failed (vboxlab check \(r.lab))"
                }
            }
            return Listing(record: r, survey: survey, specExists: FileManager.default.fileExists(atPath: r.spec))
        }
    }

    /// The providers that keep shared bases and can work here.
    func baseKeepers(recorder: RecordingRunner? = nil) -> [BaseImageManaging] {
        ProviderRegistry.entries.filter { $0.availability().isAvailable }
            .compactMap { try? environment.provider($0.name, recorder: recorder) as? BaseImageManaging }
    }

    /// Every shared base on the host, with the labs that build on it.
    public func sharedBases() -> [SharedBase] {
        let records = environment.store.all()
        return baseKeepers().flatMap { (try? $0.baseImages(records: records)) ?? [] }
    }

    /// Removes the bases no lab builds on. With no provider that keeps bases at hand, the
    /// first that could says what it lacks.
    public func pruneBases(dryRun: Bool) throws(VBoxLabError) -> (removed: [String], commands: [Command]?) {
        let recorder = dryRun ? RecordingRunner() : nil
        let held =
            dryRun ? nil : try LabLock.bases(directory: environment.paths.runtime, progress: environment.progress)
        defer { withExtendedLifetime(held) {} }
        let keepers = baseKeepers(recorder: recorder)
        if keepers.isEmpty {
            for entry in ProviderRegistry.entries {
                if let p = try? environment.provider(entry.name) as? BaseImageManaging {
                    try p.checkPrerequisites(pinging: false)
                }
            }
        }
        var removed: [String] = []
        for keeper in keepers {
            if !dryRun { try keeper.checkPrerequisites(pinging: false) }
            removed += try keeper.pruneBases(records: environment.store.all())
        }
        return (removed, recorder?.commands)
    }

    /// Forgets a lab: its record and what vboxlab kept for it (host keys, key pair, last
    /// check, lock file) go; nothing on the system is touched.
    public func forget(_ lab: String) -> Bool {
        let store = environment.store
        let existed = FileManager.default.fileExists(atPath: store.file(lab))
        let control = ProviderContext.sshControlDirectory(lab, runtime: environment.paths.runtime)
        for path in [store.file(lab)] + store.keptFiles(lab) + [
            LabLock.path(lab: lab, directory: environment.paths.runtime), control,
        ] {
            // Each is optional (kept checks, a lock, ssh's sockets): one absent is already as wanted.
            try? FileManager.default.removeItem(atPath: path)
        }
        return existed
    }

    /// Destroys every recorded lab, each with the provider that made it.
    public func destroyAll(dryRun: Bool, each: (DestroyReport) -> Void) throws(VBoxLabError) {
        for record in environment.store.all() {
            let found = FoundLab(
                name: record.lab, spec: nil, specPath: record.spec, specError: nil, record: record, word: record.lab)
            let lifecycle = try LabLifecycle(
                found, environment: environment, providerFlag: record.provider, dryRun: dryRun)
            each(try lifecycle.destroy())
        }
    }
}
