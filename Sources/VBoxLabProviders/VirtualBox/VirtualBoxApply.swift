import Foundation
import VBoxLabHost
import VBoxLabModel

/// The work one create or fix-macs does on VirtualBox, worked out before anything is made.
struct VirtualBoxWork {
    /// Every VM on the host, and the record's VMs among them by name.
    var all: [VBoxVM]
    var mine: [String: VBoxVM]
    /// New VMs with what they are made from, and the UUID each is given.
    var sources: [(VMSpec, VMSource)] = []
    var planned: [(name: String, uuid: String)] = []
    var designs: [String: VMDesign] = [:]
    /// Existing VMs that differ from the plan: settings that need the VM off, and policies that do not.
    var converge:
        [(
            name: String, uuid: String, offline: [VMSetting], online: [(slot: Int, policy: PromiscPolicy)],
            running: Bool
        )] = []
    /// The fix-macs table: one row per differing setting.
    var rows: [VMDesign.Change] = []
    /// VMs the record has that the spec no longer does.
    var removed: [OwnedObject] = []
    /// VMs an earlier run shut down to change and did not start again.
    var startAgain: [(name: String, uuid: String)] = []
    /// Held while the shared base of a box is imported and cloned from.
    var basesLock: LabLock?
    /// The UUIDs an interrupted create gave VMs that VirtualBox never registered, by VM name:
    /// what such a run left on disk is this lab's to clear.
    var stale: [String: String] = [:]

    var fresh: Bool { mine.isEmpty }
}

extension VirtualBoxProvider {
    /// create and fix-macs: check everything that can be checked before anything is made and
    /// plan the record; the writes are per VM the fewest calls that bring it to the plan, then
    /// one more read confirms VirtualBox did what was asked. The guests are not set up here.
    public func prepare(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, mode: ApplyMode)
        throws(VBoxLabError) -> ProviderChange
    {
        var work = try survey(plan, spec: spec, record: record, mode: mode)
        if !work.rows.isEmpty { for line in Self.render(work.rows).split(separator: "\n") { progress(String(line)) } }
        let observed =
            context.dryRun && !work.fresh ? try observe(lab: spec.name, vms: plan.vmNames, record: record).state : nil
        // Written down first: a run stopped half-way leaves VMs whose UUIDs the record knows.
        let record = planned(record, spec: spec, work: &work)
        // The VMs of this run only, each by the identity the record gave it before it was made.
        let made = record.owned.filter { o in work.planned.contains { $0.name == o.name } }
        let lab = spec.name
        let hostName = spec.hostName
        // An import's UUID, as soon as VirtualBox says it (before the VM is renamed).
        let learned = Locked<[String: String]>([:])
        return ProviderChange(
            record: record, makes: !work.planned.isEmpty,
            failure: work.planned.isEmpty
                ? "failed" : "failed; deleting the \(counted(work.planned.count, "VM")) this run made",
            make: { [self, work, record] _ throws(VBoxLabError) in
                var record = record
                let changes = try execute(work, spec: spec, mode: mode, record: &record, learned: learned)
                // What a write did is what the next read shows; a run that wrote nothing needs no second look.
                if !context.dryRun && (!changes.isEmpty || !work.converge.isEmpty) {
                    try confirm(plan, spec: spec, record: record)
                }
                return ApplyOutcome(
                    created: work.fresh, changes: work.fresh ? ["created lab \(spec.name)"] : changes, record: record,
                    observed: observed)
            },
            undo: { [self] written in
                self.undo(
                    made.map { o in
                        var o = o
                        o.id = o.id ?? learned.get()[o.name]
                        return o
                    }, lab: lab, written: written, hostName: hostName)
            })
    }

    /// Reads VirtualBox once and works out every change; refuses before anything is made.
    func survey(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, mode: ApplyMode) throws(VBoxLabError)
        -> VirtualBoxWork
    {
        let all = try inventory()
        var work = VirtualBoxWork(all: all, mine: owned(record, in: all))
        if work.fresh, mode.isFix { throw .lab(.notCreated(lab: spec.name, provider: name)) }
        let ours = Set(work.mine.values.map(\.uuid))
        let foreign = all.filter { !ours.contains($0.uuid) }
        let toMake = spec.vms.filter { work.mine[$0.name] == nil }
        for vm in toMake {
            if let other = foreign.first(where: { $0.name == spec.hostName(vm.name) }) {
                throw .lab(
                    .vmNameTaken(vm: spec.hostName(vm.name), lab: spec.name, uuid: other.uuid, groups: other.groups))
            }
        }
        if mode.isFix, !toMake.isEmpty { throw .lab(.lacksVMs(lab: spec.name, vms: toMake.map(\.name))) }
        work.sources = try sources(toMake, spec: spec, foreign: foreign, lock: &work.basesLock)
        warnAboutSharedNetworks(plan, spec: spec, foreign: foreign)
        work.designs = designs(plan, spec: spec, work: work)
        try differences(spec, mode: mode, work: &work)
        let names = spec.vms.map(\.name)
        // A VM the spec no longer has is deleted only when it is the lab's (`belongs`).
        work.removed = record.owned.filter { o in
            o.kind == .vm && !names.contains(o.name)
                && o.id.map { id in all.contains { $0.uuid == id && belongs($0, to: record, as: o) } } == true
        }
        // A recorded VM VirtualBox does not list may have left its settings where its clone goes
        // (a create or destroy stopped half-way): its UUID is how the clone knows them for the lab's.
        for o in record.owned where o.kind == .vm && work.mine[o.name] == nil {
            if let id = o.id { work.stale[o.name] = id }
        }
        work.startAgain = (record.stopped ?? []).compactMap { name in
            work.mine[name].flatMap { $0.running ? nil : (name, $0.uuid) }
        }
        return work
    }

    /// What each new VM is made from: one read per base however many VMs share it, and
    /// each box imported once however many VMs (and labs) use it.
    private func sources(_ toMake: [VMSpec], spec: LabSpec, foreign: [VBoxVM], lock: inout LabLock?)
        throws(VBoxLabError) -> [(VMSpec, VMSource)]
    {
        var sources: [(VMSpec, VMSource)] = []
        var cache: [String: VMSource] = [:]
        for vm in toMake {
            let key = String(describing: vm.base ?? spec.base)
            if let known = cache[key] {
                sources.append((vm, known))
                continue
            }
            let s = try source(for: vm, spec: spec, among: foreign)
            cache[key] = s
            sources.append((vm, s))
        }
        let onBases = sources.contains { _, s in
            switch s {
            case .box: return true
            case .clone(let b, _, _): return b.groups.contains(VagrantBox.baseGroup)
            default: return false
            }
        }
        if onBases && !context.dryRun { lock = try LabLock.bases(directory: context.runtime, progress: progress) }
        var imported: [String: VMSource] = [:]
        for (i, (vm, s)) in sources.enumerated() {
            guard case .box(let box) = s else { continue }
            if imported[box.baseVM] == nil { imported[box.baseVM] = try importBase(box) }
            sources[i] = (vm, imported[box.baseVM]!)
        }
        return sources
    }

    /// Each VM as the plan wants it, with its ssh forward: the spec's port, the one it has, or a free one.
    private func designs(_ plan: RegistrationPlan, spec: LabSpec, work: VirtualBoxWork) -> [String: VMDesign] {
        var designs: [String: VMDesign] = [:]
        var usedPorts = Set(work.all.flatMap { $0.natRules.map(\.hostPort) })
        for vm in spec.vms {
            let existingPort = work.mine[vm.name]?.natRules.first { $0.slot == 1 && $0.name == VMDesign.sshRule }?
                .hostPort
            var port: Int?
            if case .nat(let fixed) = vm.management { port = fixed ?? existingPort ?? freePort(avoiding: usedPorts) }
            if let port { usedPorts.insert(port) }
            designs[vm.name] = VMDesign(vm: vm, lab: spec.name, plan: plan, sshPort: port, hostName: spec.hostName)
        }
        return designs
    }

    /// The existing VMs' differences from their designs; a running VM whose MAC or network
    /// must change is refused unless `--restart` lets it be shut down for it.
    private func differences(_ spec: LabSpec, mode: ApplyMode, work: inout VirtualBoxWork) throws(VBoxLabError) {
        for vm in spec.vms {
            guard let seen = work.mine[vm.name] else { continue }
            let d = work.designs[vm.name]!.diff(seen)
            work.rows += d.changes
            if !d.offline.isEmpty || !d.online.isEmpty {
                work.converge.append((vm.name, seen.uuid, d.offline, d.online, seen.running))
            }
        }
        let restart = mode.mayRestart
        let blocked = work.converge.filter { $0.running && !$0.offline.isEmpty }
        // A dry run shows what --restart would do, and says it would.
        if !blocked.isEmpty && !restart && !context.dryRun {
            let table = Self.render(work.rows.filter { r in blocked.contains { $0.name == r.vm } && !r.online })
            throw .lab(.mustPowerOff(lab: spec.name, vms: blocked.map(\.name), table: table))
        }
    }

    /// The record as this run will leave it, with a UUID chosen for every VM it makes.
    private func planned(_ record: LabRecord, spec: LabSpec, work: inout VirtualBoxWork) -> LabRecord {
        var record = record
        let names = spec.vms.map(\.name)
        record.vms = names
        record.prefix = spec.hostPrefix
        let bases = work.sources.compactMap { s -> String? in
            if case .clone(let b, _, _) = s.1, b.groups.contains(VagrantBox.baseGroup) { return b.name }
            return nil
        }
        if !bases.isEmpty { record.bases = Array(Set((record.bases ?? []) + bases)).sorted() }
        work.planned = work.sources.map { ($0.0.name, UUID().uuidString.lowercased()) }
        // A clone gets the UUID chosen here; an import (which chooses its own) is recorded by
        // the unique name it is made under, until VirtualBox says its UUID.
        let made = zip(work.sources, work.planned).map { s, p -> OwnedObject in
            if case .appliance = s.1 {
                return OwnedObject(
                    kind: .vm, name: p.name, id: nil, makingAs: Self.importName(lab: spec.name, vm: p.name))
            }
            return OwnedObject(kind: .vm, name: p.name, id: p.uuid)
        }
        record.owned =
            record.owned.filter { o in
                !(o.kind == .vm && (work.removed.contains(o) || (work.mine[o.name] == nil && names.contains(o.name))))
            }
            + made
        // Written down before they are shut down: a run stopped meanwhile is mended by the next.
        let restarting =
            work.converge.filter { $0.running && !$0.offline.isEmpty }.map(\.name) + work.startAgain.map(\.name)
        record.stopped = restarting.isEmpty ? nil : restarting
        return record
    }

    /// The writes: removals, new VMs, changes to existing ones, and (create) starting what is off.
    private func execute(
        _ work: VirtualBoxWork, spec: LabSpec, mode: ApplyMode, record: inout LabRecord,
        learned: Locked<[String: String]>
    ) throws(VBoxLabError) -> [String] {
        var changes: [String] = []
        for o in work.removed {
            _ = try? vbox.write(VBoxManage.powerOff(o.id!))  // fails, harmlessly, when it is not running
            try vbox.write(VBoxManage.unregisterDelete(o.id!))
            progress("\(o.name): \(context.dryRun ? "would be removed" : "removed") (the spec no longer has it)")
            changes.append("removed VM \(o.name)")
        }
        changes += try makeVMs(work, start: !mode.isFix, record: &record, learned: learned)
        for w in work.converge {
            try converge(w.name, uuid: w.uuid, offline: w.offline, online: w.online, running: w.running, lab: spec.name)
        }
        // create starts every VM that is off (below); fix-macs only those it shut down itself.
        for vm in work.startAgain where mode.isFix {
            try vbox.write(VBoxManage.start(vm.uuid), timeout: 300, doneWhen: looks.running(vm.uuid))
            progress("\(vm.name): started again (an earlier run shut it down to change it and was stopped)")
            changes.append("started VM \(vm.name) again")
        }
        record.stopped = nil
        changes += work.rows.map { "\($0.vm) slot \($0.slot) \($0.network): \($0.now) → \($0.wanted)" }
        if !mode.isFix {
            for vm in spec.vms where work.mine[vm.name]?.running == false {
                let uuid = work.mine[vm.name]!.uuid
                try vbox.write(VBoxManage.start(uuid), doneWhen: looks.running(uuid))
                progress("\(vm.name): \(context.dryRun ? "would be started" : "started")")
                changes.append("started VM \(vm.name)")
            }
        }
        return changes
    }

    /// Clones (or imports) the new VMs, several at once; an import's UUID, known once it is
    /// made, replaces its temporary name in the record.
    private func makeVMs(
        _ work: VirtualBoxWork, start: Bool, record: inout LabRecord, learned: Locked<[String: String]>
    ) throws(VBoxLabError) -> [String] {
        let importLock = NSLock()
        let designed = work.designs
        let recorded = record.owned
        let stale = work.stale
        let made = parallelMap(Array(zip(work.sources, work.planned)), width: width) {
            pair -> Result<(String, String), VBoxLabError> in
            let ((vm, from), (_, uuid)) = pair
            let importAs = recorded.first { $0.kind == .vm && $0.name == vm.name }?.makingAs
            return Result { () throws(VBoxLabError) in
                (
                    vm.name,
                    try self.make(
                        vm, uuid: uuid, importAs: importAs, staleUUID: stale[vm.name], from: from,
                        design: designed[vm.name]!,
                        importLock: importLock, start: start, learned: learned)
                )
            }
        }
        var changes: [String] = []
        for r in made {
            let (vm, uuid) = try r.get()
            if let i = record.owned.firstIndex(where: { $0.kind == .vm && $0.name == vm }) {
                record.owned[i].id = uuid
                record.owned[i].makingAs = nil
            }
            changes.append("created VM \(vm)")
        }
        return changes
    }

    /// The fix-macs table: VM, slot, network, now, wanted, why.
    static func render(_ rows: [VMDesign.Change]) -> String {
        TextTable.render(
            [["VM", "slot", "network", "now", "wanted", "why"]]
                + rows.map { [$0.vm, $0.slot, $0.network, $0.now, $0.wanted, $0.why] }
        )
        .map { "  " + $0 }.joined(separator: "\n")
    }
}
