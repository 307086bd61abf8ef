import Foundation
import VBoxLabHost
import VBoxLabModel

/// Builds, converges, inspects and removes a lab made of network namespaces, one per
/// VM, joined by the lab's `RegisteringSwitch`. Commands that change the system go through `context.mutator` (a
/// recorder under `--dry-run`); commands that only read go through `context.reader`.
public struct NetnsProvider: LabProvider {
    public let context: ProviderContext
    public var name: String { Self.descriptor.name }

    public init(context: ProviderContext) { self.context = context }

    var reader: CommandRunner { context.reader }
    var mutator: CommandRunner { context.mutator }
    var progress: ProgressHandler { context.progress }

    /// Root, `ip` and `bridge` (and `ping` to check): without them nothing here works (exit 4).
    public func checkPrerequisites(pinging: Bool) throws(VBoxLabError) {
        if !Privileges.isRoot {
            throw .missing(what: "root", fix: "network namespaces need root; run it as root (sudo vboxlab ...)")
        }
        for tool in ["ip", "bridge"] + (pinging ? ["ping"] : []) where ProcessRunner.resolve(tool) == nil {
            throw .missing(what: "'\(tool)'", fix: ProcessRunner.installHint(tool))
        }
    }

    public func prepare(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, mode: ApplyMode)
        throws(VBoxLabError) -> ProviderChange
    {
        let names = NetnsNames(lab: plan.lab)
        let (before, owned) = try adoptOrClear(record, lab: plan.lab)
        let desired = [names.switchNamespace] + plan.vmNames.map(names.vmNamespace)
        // Refuse before making anything: a namespace of ours by name that is not ours by identity.
        let foreign = desired.filter { before.contains($0) && !owned.contains($0) }
        if !foreign.isEmpty { throw foreignNamespaces(foreign, lab: plan.lab) }
        let fresh = owned.isEmpty
        if fresh, mode.isFix { throw .lab(.notCreated(lab: plan.lab, provider: name)) }

        let recordedVMs = Set(record.owned.filter { $0.kind == .namespace }.map(\.name))
        let removeVMs = record.vms.filter {
            !plan.vmNames.contains($0) && owned.contains(names.vmNamespace($0))
                && recordedVMs.contains(names.vmNamespace($0))
        }
        let snapshot =
            fresh ? nil : try NetnsObserver(runner: reader, lab: plan.lab).snapshot(vms: plan.vmNames, owned: owned)
        var work = NetnsWork.diff(plan, snapshot: snapshot, removeVMs: removeVMs)
        if let snapshot, !snapshot.switchExists {
            work.changes.insert("re-created the switch namespace \(names.switchNamespace)", at: 0)
        }
        if fresh {
            progress(
                "creating \(counted(desired.count, "namespace")), "
                    + "\(counted(work.switchWork.addBridges.count, "switch", "switches")), "
                    + "\(counted(plan.nics.count, "NIC"))"
            )
        } else if work.isEmpty {
            progress("lab \(plan.lab) exists; its switch is as planned")
        } else {
            progress("lab \(plan.lab) exists; bringing it to the plan")
        }

        var record = record
        record.vms = plan.vmNames
        record.owned = record.owned.filter { !($0.kind == .namespace && work.deleteNamespaces.contains($0.name)) }
        for ns in work.addNamespaces where record.owns(.namespace, named: ns) == nil {
            record.owned.append(OwnedObject(kind: .namespace, name: ns, id: nil))
        }
        let made = work.addNamespaces.filter { !before.contains($0) }
        return ProviderChange(
            record: record, makes: !work.addNamespaces.isEmpty,
            failure: fresh
                ? "create failed; removing what this run made" : "failed; removing the namespaces this run made",
            make: { [self, work, record] _ throws(VBoxLabError) in
                try make(work, plan: plan, spec: spec, record: record, fresh: fresh, seen: snapshot?.observation.state)
            },
            undo: { [mutator, dryRun = context.dryRun] _ in
                NetnsHostnames(runner: mutator, dryRun: dryRun).remove(made)
                // The namespaces this run made that still exist.
                let now = HostNamespaces.namespaces()
                let batch = made.filter(now.contains).map { "netns del \($0)" }.joined(separator: "\n")
                if !batch.isEmpty {
                    _ = try? mutator.run(Command("ip", ["-force", "-batch", "-"], input: batch + "\n"))
                }
                return UndoResult(clean: HostNamespaces.namespaces().isDisjoint(with: made))
            })
    }

    /// The writes: one batch per namespace, then the namespaces' identities into the record.
    private func make(
        _ work: NetnsWork, plan: RegistrationPlan, spec: LabSpec, record: LabRecord, fresh: Bool,
        seen observed: LabState?
    ) throws(VBoxLabError) -> ApplyOutcome {
        let started = Date()
        // A dry run says what it would do, never as done.
        for c in work.changes { progress(context.dryRun ? "not done (dry run): \(c)" : c) }
        for c in work.commands { try mutator.check(c) }
        let hostnames = NetnsHostnames(runner: mutator, dryRun: context.dryRun)
        hostnames.remove(work.deleteNamespaces)
        try hostnames.give(plan.vmNames.map { ($0, NetnsNames(lab: plan.lab).vmNamespace($0)) })
        let record = context.dryRun ? record : identified(record, added: work.addNamespaces)
        // On every run: a lab that grew, or a run stopped before this point.
        raiseNeighbourLimits(lab: plan.lab, endpoints: plan.addresses.count)
        if fresh { progress(String(format: "lab %@ built in %.2f s", plan.lab, Date().timeIntervalSince(started))) }
        var outcome = ApplyOutcome(
            created: fresh, changes: fresh ? ["created lab \(plan.lab)"] : work.changes, record: record,
            guestInterfaces: interfaces(plan, seen: observed), observed: observed)
        // Namespaces made just now hold no address: their scripts start no program to read
        // them. A VM the spec reaches by ssh is wherever ssh leads, and is read as ever.
        if fresh && !context.dryRun {
            let entered = spec.vms.filter { !Self.reachedBySSH($0, spec: spec) }
            outcome.guestAddresses = Dictionary(uniqueKeysWithValues: entered.map { ($0.name, []) })
        }
        return outcome
    }

    /// The host's namespaces and those of them the record owns. A run stopped half-way
    /// (SIGKILL, power) may have stopped its batches on any line: what it left is removed
    /// and the lab built again from the spec.
    private func adoptOrClear(_ record: LabRecord, lab: String) throws(VBoxLabError) -> (
        before: Set<String>, owned: Set<String>
    ) {
        var before = HostNamespaces.namespaces()
        var owned = HostNamespaces.owned(by: record, existing: before)
        guard record.pending && !owned.isEmpty && !context.dryRun else { return (before, owned) }
        progress(
            "an earlier run on lab \(lab) was stopped half-way; removing the \(counted(owned.count, "namespace")) it "
                + "left and building again"
        )
        // A run killed outright leaves its `ip -batch` behind, which may still be adding the
        // namespaces the pending record names: cleared until none has come back for 0.3 s
        // (up to 10 s); any still coming after that are the record's, and adopted.
        let deadline = Date().addingTimeInterval(10)
        var quiet = 0
        while quiet < 2 && Date() < deadline {
            if owned.isEmpty {
                quiet += 1
            } else {
                quiet = 0
                try mutator.check(
                    Command(
                        "ip", ["-force", "-batch", "-"], input: owned.sorted().map { "netns del \($0)\n" }.joined()))
            }
            usleep(150_000)
            before = HostNamespaces.namespaces()
            owned = HostNamespaces.owned(by: record, existing: before)
        }
        return (before, owned)
    }

    /// The record with each namespace this run made identified by its inode.
    private func identified(_ record: LabRecord, added: [String]) -> LabRecord {
        var record = record
        record.owned = record.owned.map { o in
            guard o.kind == .namespace, o.id == nil || added.contains(o.name) else { return o }
            return OwnedObject(kind: .namespace, name: o.name, id: HostNamespaces.identity(o.name))
        }.filter { $0.kind != .namespace || $0.id != nil }
        return record
    }

    /// The VM end of each NIC's veth: as read, else the name a new one gets (the slot's guest name).
    private func interfaces(_ plan: RegistrationPlan, seen: LabState?) -> [String: [Int: String]] {
        var out: [String: [Int: String]] = [:]
        for vm in plan.vmNames {
            out[vm] = Dictionary(
                uniqueKeysWithValues: plan.nics(of: vm).map { ($0.slot, GuestInterfaceName.forSlot($0.slot)) })
        }
        var hints: [String: [Int: String]] = [:]
        for vm in seen?.vms ?? [] {
            for nic in vm.nics { if let i = nic.interface { hints[vm.name, default: [:]][nic.slot] = i } }
        }
        return out.merging(hints) { _, read in read }
    }

    private func foreignNamespaces(_ names: [String], lab: String) -> VBoxLabError {
        let others = context.store.all().filter { $0.lab != lab }
        let described = names.map { ns -> String in
            let id = HostNamespaces.identity(ns)
            if let other = others.first(where: {
                $0.owned.contains { $0.kind == .namespace && $0.name == ns && $0.id == id }
            }) {
                return "\(ns) (lab \(other.lab)'s)"
            }
            return "\(ns) (not made by vboxlab for lab \(lab))"
        }
        return .lab(
            .taken(
                lab: lab, what: "namespaces", objects: described,
                fix: "Rename the lab or the VM, or remove them (ip netns del NAME) if nothing needs them"))
    }

    public func observe(lab: String, vms: [String], record: LabRecord?) throws(VBoxLabError) -> LabObservation {
        let owned = HostNamespaces.owned(by: record, existing: HostNamespaces.namespaces())
        return try NetnsObserver(runner: reader, lab: lab).snapshot(vms: vms, owned: owned).observation
    }

    /// Deletes the lab's namespaces (their veths go with them), only those still the ones it made.
    public func destroy(_ record: LabRecord) throws(VBoxLabError) -> [String] {
        let existing = HostNamespaces.namespaces()
        let ours = HostNamespaces.owned(by: record, existing: existing)
        let ordered = record.owned.map(\.name).filter(ours.contains)
        defer { restoreNeighbourLimits(lab: record.lab) }
        // The VMs' host names go with their namespaces, and also where a namespace is gone
        // already (deleted by hand): only a namespace of that name that is another's keeps its.
        let names = NetnsNames(lab: record.lab)
        NetnsHostnames(runner: mutator, dryRun: context.dryRun).remove(
            record.vms.map(names.vmNamespace).filter { ours.contains($0) || !existing.contains($0) })
        if ordered.isEmpty { return [] }
        try mutator.check(
            Command(
                "ip", ["-force", "-batch", "-"], input: ordered.map { "netns del \($0)" }.joined(separator: "\n") + "\n"
            ))
        return ordered
    }

    public func survey(_ record: LabRecord) -> LabSurvey {
        let existing = HostNamespaces.namespaces()
        let ours = HostNamespaces.owned(by: record, existing: existing)
        let names = NetnsNames(lab: record.lab)
        let running = record.vms.filter { ours.contains(names.vmNamespace($0)) }.count
        let missing = record.owned.filter { $0.kind == .namespace && !ours.contains($0.name) }.map(\.name)
        let note = missing.isEmpty ? nil : "missing or replaced: \(missing.joined(separator: ", "))"
        return LabSurvey(
            running: running, total: record.vms.count, matches: missing.isEmpty && !record.pending,
            note: record.pending ? "a create was stopped half-way" : note)
    }

    /// Whether the VM's `ssh` block names a host or a ProxyCommand: then it is reached by ssh.
    static func reachedBySSH(_ vm: VMSpec, spec: LabSpec) -> Bool {
        guard let login = vm.ssh ?? spec.ssh else { return false }
        return login.host != nil || login.proxyCommand != nil
    }

    /// `ip netns exec`, unless the VM's `ssh` block names a host or a ProxyCommand: then ssh,
    /// as to a real guest (a bare user and key are for VirtualBox's NAT forward).
    public func transports(spec: LabSpec, record: LabRecord?) throws(VBoxLabError) -> [String: GuestTransport] {
        var out: [String: GuestTransport] = [:]
        for vm in spec.vms {
            if Self.reachedBySSH(vm, spec: spec) {
                out[vm.name] = try context.sshTransport(spec: spec, vm: vm, host: vm.name, port: nil)
            } else {
                out[vm.name] = NetnsExecTransport(
                    vm: vm.name, namespace: NetnsNames(lab: spec.name).vmNamespace(vm.name), runner: reader)
            }
        }
        return out
    }

    public func switchCapture(_ plan: RegistrationPlan, transports: [String: GuestTransport]) -> SwitchCapture? {
        NetnsCapture(runner: reader, plan: plan)
    }

    /// The neighbour table is host-wide: a full mesh of n endpoints needs about n² entries,
    /// and the default gc_thresh3 of 1024 overflows near 32 endpoints. Raise, say so, and
    /// remember the old values so that destroying the last large lab, of any user or state
    /// directory, puts them back.
    func raiseNeighbourLimits(lab: String, endpoints n: Int) {
        guard !context.dryRun else { return }
        let needed = max(1024, n * n * 2)
        let key = context.store.file(lab)
        let progress = self.progress
        guard needed > 1024, let current = NeighbourLimits.read() else { return }
        NeighbourLimits.update { saved in
            if saved == nil && current[2] >= needed { return nil }
            var next = saved ?? NeighbourLimits(original: current, labs: [])
            if !next.labs.contains(key) { next.labs.append(key) }
            if current[2] < needed {
                NeighbourLimits.write([needed / 4, needed / 2, needed])
                progress(
                    "raised neighbour limits gc_thresh1/2/3 \(current.map(String.init).joined(separator: "/")) → "
                        + "\(needed / 4)/\(needed / 2)/\(needed) (\(n) endpoints)"
                )
                progress(
                    "destroying the last large lab restores \(next.original.map(String.init).joined(separator: "/"))")
            }
            return next
        }
    }

    /// After a destroy: the limits go back once no large lab needs them.
    func restoreNeighbourLimits(lab: String) {
        guard !context.dryRun else { return }
        let key = context.store.file(lab)
        let progress = self.progress
        NeighbourLimits.update { saved in
            guard var next = saved, next.labs.contains(key) else { return saved }
            next.labs.removeAll { $0 == key }
            guard next.labs.isEmpty else { return next }
            NeighbourLimits.write(next.original)
            progress(
                "restored the host's neighbour table limits (gc_thresh1/2/3 "
                    + "\(next.original.map(String.init).joined(separator: "/")))"
            )
            return nil
        }
    }
}
