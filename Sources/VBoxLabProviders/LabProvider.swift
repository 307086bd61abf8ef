import Foundation
import VBoxLabHost
import VBoxLabModel

/// The seam between what vboxlab means (plans, checks, records) and a system that
/// carries a lab. `Check/`, the lab lifecycle and the CLI see a provider only through
/// this protocol and `GuestTransport`, so a provider is one folder and one line in
/// `ProviderRegistry`. Narrow on purpose: only what those callers need of a provider.
/// What only some providers can do is a protocol of its own (`BaseImageManaging`),
/// asked for with `as?`, never by the provider's name.
public protocol LabProvider: Sendable {
    /// The name users type (`--provider NAME`) and records keep.
    var name: String { get }

    /// What the provider needs on this host (root, programs); `.missing` (exit 4) otherwise.
    func checkPrerequisites(pinging: Bool) throws(VBoxLabError)

    /// create and fix-macs, the provider's half: reads the system and decides how to build
    /// the lab or bring it to the plan (add what is missing, change what differs, remove what
    /// the plan no longer has), refusing before anything is made. `record` is what earlier
    /// runs made. The lifecycle runs the answer as one transaction (`LabTransaction`); the
    /// VMs' insides are not the provider's: the lifecycle sets the guests up after.
    func prepare(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, mode: ApplyMode) throws(VBoxLabError)
        -> ProviderChange

    /// The lab as the system has it, for `status` and the diagnosis of `check`.
    func observe(lab: String, vms: [String], record: LabRecord?) throws(VBoxLabError) -> LabObservation

    /// Removes what the record says the lab owns, after checking each object is still the one it made.
    func destroy(_ record: LabRecord) throws(VBoxLabError) -> [String]

    /// A cheap look for `list`: how many VMs run, and whether the system still matches the record.
    func survey(_ record: LabRecord) -> LabSurvey

    /// How to run a script or a command inside each VM of the spec: through the provider's
    /// own way in (`ip netns exec`), or ssh where the spec's `ssh` block (or VirtualBox) says.
    func transports(spec: LabSpec, record: LabRecord?) throws(VBoxLabError) -> [String: GuestTransport]

    /// A capture on the lab's switch for `check --capture`, where the provider can make one.
    /// `transports` reach the guests, for a provider whose pings run inside them.
    func switchCapture(_ plan: RegistrationPlan, transports: [String: GuestTransport]) -> SwitchCapture?
}

public enum ApplyMode: Sendable, Equatable {
    /// `create`: build what is missing; `setup` runs the guest scripts; `restart` as fix-macs's.
    case create(setup: Bool, restart: Bool = false)
    /// `fix-macs`: the lab must exist; registrations, policies and guests to the plan.
    /// `restart`: a running VM whose MAC or network must change may be shut down for it.
    /// `setup`: the guests' side too (bridges, port MACs, addresses).
    case fix(restart: Bool, setup: Bool)

    public var isFix: Bool {
        if case .fix = self { return true }
        return false
    }
    /// Whether the guests are set up as well.
    public var setsUpGuests: Bool {
        switch self {
        case .create(let s, _): return s
        case .fix(_, let s): return s
        }
    }
    /// Whether a running VM whose MAC or network must change may be shut down for it.
    public var mayRestart: Bool {
        switch self {
        case .create(_, let r): return r
        case .fix(let r, _): return r
        }
    }
}

/// Writes a record down (the lab's store, or nothing in a dry run).
public typealias RecordWriter = @Sendable (LabRecord) throws(VBoxLabError) -> Void

/// What a provider will do for create or fix-macs, decided before anything is made. The
/// lifecycle writes `record` first, runs `make`, writes the record `make` answers with last
/// (no longer pending, nothing left stopped), and on a failure or an interrupt runs `undo`
/// once, then removes the record of a lab that did not exist before.
public struct ProviderChange {
    /// The record to write before anything is made: every object this run will make, by the
    /// identity it will have, and `stopped` the VMs it shuts down. Its `pending` is the
    /// lifecycle's to set.
    public var record: LabRecord
    /// Whether this run makes objects: the record is pending until they are all made, so a
    /// run stopped half-way is found and finished by the next.
    public var makes: Bool
    /// The writes. `persist` records progress as it is made (a QEMU VM once its process is
    /// known); the outcome carries the record as it stands.
    public var make: (_ persist: RecordWriter) throws(VBoxLabError) -> ApplyOutcome
    /// Removes what `make` made, given the record as last written (nil when there is none),
    /// and answers with what the record must say afterwards; the lifecycle writes it. Run on
    /// a failure, or from the signal handler; safe to run after a partial `make`.
    public var undo: @Sendable (_ written: LabRecord?) -> UndoResult
    /// Said when `make` failed, before the undo runs: what goes and what stays.
    public var failure: String

    public init(
        record: LabRecord, makes: Bool, failure: String,
        make: @escaping (_ persist: RecordWriter) throws(VBoxLabError) -> ApplyOutcome,
        undo: @escaping @Sendable (_ written: LabRecord?) -> UndoResult
    ) {
        self.record = record
        self.makes = makes
        self.failure = failure
        self.make = make
        self.undo = undo
    }
}

/// What a provider's part of create or fix-macs did; the guests are the lifecycle's part.
public struct ApplyOutcome: Sendable {
    /// A new lab was built (nothing of it existed).
    public var created: Bool
    /// One line per change, for the summary.
    public var changes: [String]
    /// The record as it stands after the run.
    public var record: LabRecord
    /// The guest interface of each VM's lab NIC by slot, where the provider knows it (it made
    /// the interface, or read it); elsewhere guest scripts find each NIC by its MAC.
    public var guestInterfaces: [String: [Int: String]]
    /// The lab as the provider read it before changing it (nil for a new lab), so that a
    /// dry run can predict the guests' changes from the guests as they are.
    public var observed: LabState?
    /// VMs that had a running state kept at rest (`stop --save`, a snapshot) and were booted
    /// instead: whatever setup lived only in that state is gone, so their guests are set up again.
    public var bootedInsteadOfResumed: Set<String> = []
    /// Each VM's IPv4 addresses as `ADDRESS/PREFIX@DEVICE`, where the provider knows them all
    /// (it made the VM just now, with none): its guest script need not read them.
    public var guestAddresses: [String: [String]] = [:]

    public init(
        created: Bool, changes: [String], record: LabRecord, guestInterfaces: [String: [Int: String]] = [:],
        observed: LabState? = nil
    ) {
        self.created = created
        self.changes = changes
        self.record = record
        self.guestInterfaces = guestInterfaces
        self.observed = observed
    }
}

public struct LabSurvey: Sendable, Equatable {
    public var running: Int
    public var total: Int
    /// Whether every object of the record is on the system as recorded.
    public var matches: Bool
    /// What differs, when something does.
    public var note: String?
}

/// What an undo leaves, for the lifecycle to write down: the provider never saves a record.
public struct UndoResult: Sendable, Equatable {
    /// Whether the record (as `record`, or as last written) names all that is left: what
    /// could not be removed is in it, marked stranded. False keeps it pending, for the next
    /// run to find and finish.
    public var clean: Bool
    /// The record as it must read after the undo; nil leaves it as last written.
    public var record: LabRecord?

    public init(clean: Bool, record: LabRecord? = nil) {
        self.clean = clean
        self.record = record
    }
}
