import Foundation

extension VirtualBoxProvider {
    /// create and fix-macs: check everything that can be checked before anything is made,
    /// write the record, then per VM the fewest calls that bring it to the plan, and read
    /// once more to confirm VirtualBox did what was asked.
    public func apply(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, mode: ApplyMode,
                      persist: @Sendable (LabRecord) throws(VBoxLabError) -> Void) throws(VBoxLabError) -> ApplyOutcome {
        let setup = mode.setsUpGuests
        if setup, !context.dryRun, ProcessRunner.resolve("ssh") == nil { throw .missing(what: "'ssh'", fix: ProcessRunner.installHint("ssh")) }
        let all = try inventory()
        let mine = owned(record, in: all)
        let names = spec.vms.map(\.name)
        let fresh = mine.isEmpty
        if fresh, mode.isFix { throw .failed("lab \(spec.name) has no VMs in VirtualBox; create it first") }
        let ours = Set(mine.values.map(\.uuid))
        let foreign = all.filter { !ours.contains($0.uuid) }

        // Refusals before anything is made.
        let toMake = spec.vms.filter { mine[$0.name] == nil }
        for vm in toMake {
            if let other = foreign.first(where: { $0.name == vm.name }) {
                throw .failed("VM name \(vm.name) is taken: VirtualBox already has a VM of that name outside lab \(spec.name) (UUID \(other.uuid), group \(other.groups.joined(separator: ","))); rename the lab's VM or that one")
            }
        }
        if mode.isFix, !toMake.isEmpty {
            throw .failed("lab \(spec.name) lacks VMs \(toMake.map(\.name).joined(separator: ", ")); fix-macs changes existing VMs only: vboxlab create \(spec.name) --no-setup makes them")
        }
        var sources: [(VMSpec, VMSource)] = []
        var cache: [String: VMSource] = [:]   // one read per base, however many VMs share it
        for vm in toMake {
            let key = String(describing: vm.base ?? spec.base)
            if let known = cache[key] { sources.append((vm, known)); continue }
            let s = try source(for: vm, spec: spec, among: foreign)
            cache[key] = s
            sources.append((vm, s))
        }
        warnAboutSharedNetworks(plan, foreign: foreign)
        // Boxes first, one import each, however many VMs (and labs) use them.
        var imported: [String: VMSource] = [:]
        for (i, (vm, s)) in sources.enumerated() {
            guard case .box(let box) = s else { continue }
            if imported[box.baseVM] == nil { imported[box.baseVM] = try importBase(box) }
            sources[i] = (vm, imported[box.baseVM]!)
        }

        // The lab's changes to VMs that exist.
        var designs: [String: VMDesign] = [:]
        var usedPorts = Set(all.flatMap { $0.natRules.map(\.hostPort) })
        for vm in spec.vms {
            let existingPort = mine[vm.name]?.natRules.first { $0.slot == 1 && $0.name == VMDesign.sshRule }?.hostPort
            var port: Int?
            if case .nat(let fixed) = vm.management { port = fixed ?? existingPort ?? freePort(avoiding: usedPorts) }
            if let port { usedPorts.insert(port) }
            designs[vm.name] = VMDesign(vm: vm, lab: spec.name, plan: plan, sshPort: port)
        }
        var rows: [VMDesign.Change] = []
        var work: [(name: String, uuid: String, offline: [VMSetting], online: [(slot: Int, policy: PromiscPolicy)], running: Bool)] = []
        for vm in spec.vms {
            guard let seen = mine[vm.name] else { continue }
            let d = designs[vm.name]!.diff(seen)
            rows += d.changes
            if !d.offline.isEmpty || !d.online.isEmpty { work.append((vm.name, seen.uuid, d.offline, d.online, seen.running)) }
        }
        let restart: Bool
        if case .fix(let r, _) = mode { restart = r } else { restart = false }
        let blocked = work.filter { $0.running && !$0.offline.isEmpty }
        if !blocked.isEmpty && !restart {
            let table = Self.render(rows.filter { r in blocked.contains { $0.name == r.vm } && !r.online })
            throw .failed("\(blocked.map(\.name).joined(separator: ", ")) must be powered off for these changes:\n\(table)\nnothing was changed; let vboxlab shut them down, change them and start them again: vboxlab fix-macs \(spec.name) --restart")
        }
        let removed = record.owned.filter { o in o.kind == .vm && !names.contains(o.name) && o.id.map { id in all.contains { $0.uuid == id } } == true }
        if !rows.isEmpty { for line in Self.render(rows).split(separator: "\n") { progress(String(line)) } }

        // Written down first: a run stopped half-way leaves VMs whose UUIDs the record knows.
        var record = record
        record.vms = names
        let bases = sources.compactMap { s -> String? in if case .clone(let b, _, _) = s.1, b.groups.contains(VagrantBox.baseGroup) { return b.name }; return nil }
        if !bases.isEmpty { record.bases = Array(Set((record.bases ?? []) + bases)).sorted() }
        let planned = sources.map { ($0.0.name, UUID().uuidString.lowercased()) }
        record.owned = record.owned.filter { o in !(o.kind == .vm && (removed.contains(o) || (mine[o.name] == nil && names.contains(o.name)))) }
            + planned.map { OwnedObject(kind: .vm, name: $0.0, id: $0.1) }
        record.pending = !planned.isEmpty
        if !context.dryRun { try persist(record) }

        let vbox = self.vbox, progress = self.progress
        let createdIDs = Locked(planned.map(\.1))
        let undo = Cleanup.shared.push {
            // The VMs of this run only; a UUID VirtualBox does not know fails quietly.
            for uuid in createdIDs.get() {
                _ = try? vbox.write(VBoxManage.powerOff(uuid))
                _ = try? vbox.write(VBoxManage.unregisterDelete(uuid))
            }
        }
        do {
            var changes: [String] = []
            for o in removed {
                _ = try? vbox.write(VBoxManage.powerOff(o.id!))   // fails, harmlessly, when it is not running
                try vbox.write(VBoxManage.unregisterDelete(o.id!))
                progress("\(o.name): removed (the spec no longer has it)")
                changes.append("removed VM \(o.name)")
            }
            let mediaLock = NSLock()
            let start: Bool
            if case .create = mode { start = true } else { start = false }
            let designed = designs
            let made = parallelMap(Array(zip(sources, planned)), width: width) { pair -> Result<(String, String), VBoxLabError> in
                let ((vm, from), (_, uuid)) = pair
                return Result { () throws(VBoxLabError) in
                    (vm.name, try self.make(vm, uuid: uuid, from: from, design: designed[vm.name]!, mediaLock: mediaLock, start: start))
                }
            }
            for r in made {
                let (vm, uuid) = try r.get()
                // An import chooses its own UUID: the record (and the undo) follow it.
                if let i = record.owned.firstIndex(where: { $0.kind == .vm && $0.name == vm }), record.owned[i].id != uuid {
                    record.owned[i].id = uuid
                    createdIDs.update { $0.append(uuid) }
                }
                changes.append("created VM \(vm)")
            }
            for w in work {
                try converge(w.name, uuid: w.uuid, offline: w.offline, online: w.online, running: w.running)
            }
            changes += rows.map { "\($0.vm) slot \($0.slot) \($0.network): \($0.now) → \($0.wanted)" }
            var started = 0
            if case .create = mode {
                for vm in spec.vms where mine[vm.name]?.running == false {
                    started += 1
                    try vbox.write(VBoxManage.start(mine[vm.name]!.uuid))
                    progress("\(vm.name): started")
                    changes.append("started VM \(vm.name)")
                }
            }
            let wrote = !removed.isEmpty || !planned.isEmpty || !work.isEmpty || started > 0
            if !context.dryRun {
                // What a write did is what the next read shows; a run that wrote nothing needs no second look.
                if wrote { try confirm(plan, spec: spec, record: record) }
                record.pending = false
                try persist(record)
            }
            if setup && !context.dryRun { changes += try setUpGuests(plan, spec: spec, record: record) }
            Cleanup.shared.drop(undo)
            return ApplyOutcome(created: fresh, changes: fresh ? ["created lab \(spec.name)"] : changes, record: record)
        } catch {
            progress(planned.isEmpty ? "failed" : "failed; deleting the \(planned.count) VM\(planned.count == 1 ? "" : "s") this run made")
            Cleanup.shared.run(undo)
            throw error
        }
    }

    /// Waits for each VM's ssh, then runs its guest script, several VMs at once.
    func setUpGuests(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord) throws(VBoxLabError) -> [String] {
        let transports = try self.transports(spec: spec, record: record)
        defer { closeAll(transports) }
        let wait = sshWait, progress = self.progress
        let results = parallelMap(spec.vms.map(\.name), width: 8) { vm -> Result<[String], VBoxLabError> in
            Result { () throws(VBoxLabError) in
                guard let t = transports[vm] else { return [] }
                try t.waitUntilReachable(wait: wait, progress: progress)
                let lines = try GuestSetup.run(GuestScript(plan: plan, vm: vm), through: t)
                for l in lines { progress("\(vm): \(l)") }
                return lines.map { "\(vm): \($0)" }
            }
        }
        var changes: [String] = []
        for r in results { changes += try r.get() }
        return changes
    }

    /// The fix-macs table: VM, slot, network, now, wanted, why.
    static func render(_ rows: [VMDesign.Change]) -> String {
        TextTable.render([["VM", "slot", "network", "now", "wanted", "why"]] + rows.map { [$0.vm, $0.slot, $0.network, $0.now, $0.wanted, $0.why] })
            .map { "  " + $0 }.joined(separator: "\n")
    }
}
