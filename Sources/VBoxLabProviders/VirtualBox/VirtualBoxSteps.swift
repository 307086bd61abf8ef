import Foundation
import VBoxLabHost
import VBoxLabModel

extension VirtualBoxProvider {
    /// A box's base VM, imported once into the bases group and snapshotted, for every lab
    /// on that box to clone. Returns it as a clone source.
    func importBase(_ box: VagrantBox) throws(VBoxLabError) -> VMSource {
        let started = Date()
        progress("importing the box \(box.name) \(box.version) as \(box.baseVM) (once; every lab on it clones it)")
        try importClearingStale(box)
        try vbox.write(["snapshot", box.baseVM, "take", "base"])
        progress(String(format: "imported %@ (%.1f s)", box.baseVM, Date().timeIntervalSince(started)))
        if context.dryRun {
            return .clone(
                base: VBoxVM(
                    name: box.baseVM, uuid: box.baseVM, groups: [VagrantBox.baseGroup], state: "poweroff", memory: nil,
                    cpus: nil, nics: [:], natRules: []),
                snapshot: "base", linked: true)
        }
        guard let base = VBoxParse.inventory(try vbox.read(["showvminfo", box.baseVM])).first else {
            throw .system(.disagrees("VirtualBox imported \(box.ovf) but shows no VM \(box.baseVM)"))
        }
        return .clone(base: base, snapshot: "base", linked: true)
    }

    /// Internal networks are global to the host: a VM outside the lab on one of the lab's
    /// networks receives its broadcasts and may take its frames.
    func warnAboutSharedNetworks(_ plan: RegistrationPlan, spec: LabSpec, foreign: [VBoxVM]) {
        let networks = Set(plan.nics.map { spec.hostName($0.network) })
        for vm in foreign {
            for (slot, nic) in vm.nics.sorted(by: { $0.key < $1.key }) {
                if let n = nic.network, networks.contains(n) {
                    progress(
                        "warning: VM \(vm.name) (\(vm.uuid)), not in lab \(plan.lab), is attached to internal "
                            + "network \(n) on NIC \(slot); it shares the lab's frames"
                    )
                }
            }
        }
    }

    /// A TCP port on 127.0.0.1 no VM forwards and nothing listens on, from 2222 up.
    func freePort(avoiding used: Set<Int>) -> Int { LocalPort.free(avoiding: used) }

    /// One new VM: clone or import, one `modifyvm` with every setting, then start it.
    /// Returns the VM's UUID (an import chooses its own).
    func make(
        _ vm: VMSpec, uuid: String, importAs: String?, staleUUID: String?, from: VMSource, design: VMDesign,
        importLock: NSLock, start: Bool,
        learned: Locked<[String: String]>
    ) throws(VBoxLabError) -> String {
        let started = Date()
        // A dry run makes nothing, and its lines say so.
        let dry = context.dryRun
        func step(_ what: String) {
            progress(
                dry
                    ? "\(vm.name): would be \(what)"
                    : String(format: "%@: %@ (%.2f s)", vm.name, what, Date().timeIntervalSince(started)))
        }
        var id = uuid
        var inherited: [VBoxNATRule] = []
        var rename: [VMSetting] = []
        switch from {
        case .clone(let base, let snapshot, let linked):
            let args =
                linked
                ? VBoxManage.cloneLinked(base: base.uuid, snapshot: snapshot!, name: design.hostName, uuid: uuid)
                : VBoxManage.cloneFull(base: base.uuid, snapshot: snapshot, name: design.hostName, uuid: uuid)
            // Clones of one base run at once: VBoxSVC locks the base's media for each. The 10 s
            // stalls that once made them one at a time are VBoxManage's own exit stall (Tests/README),
            // and a stalled clone holding a lock held up every other VM's clone behind it.
            try clone(args, ours: [uuid] + (staleUUID.map { [$0] } ?? []))
            inherited = base.natRules
            step("made as a \(linked ? "linked clone" : "clone") of \(base.name)\(snapshot.map { "@\($0)" } ?? "")")
        case .appliance(let file):
            // Parallel imports fail (VirtualBox issue 80): one at a time.
            importLock.lock()
            let name = importAs ?? design.hostName
            let imported = Result { () throws(VBoxLabError) in
                try vbox.write(VBoxManage.importAppliance(file: file, name: name, group: design.group), timeout: 3600)
            }
            importLock.unlock()
            _ = try imported.get()
            if !context.dryRun {
                guard let made = self.uuid(named: name) else {
                    throw .system(.disagrees("VirtualBox imported \(file) but lists no one VM named \(name)"))
                }
                id = made
                learned.update { $0[vm.name] = made }
                inherited = VBoxParse.inventory(try vbox.read(["showvminfo", id])).first?.natRules ?? []
            }
            if name != design.hostName { rename = [.name(design.hostName)] }
            step("imported from \(file)")
        case .box:
            preconditionFailure("the box of \(vm.name) is imported before any VM is cloned from it")
        }
        try configure(id, rename + design.allSettings(inherited: inherited), design: design)
        step("configured (\(design.nics.count) lab NIC\(design.nics.count == 1 ? "" : "s"))")
        if start {
            try vbox.write(VBoxManage.start(id), timeout: 300, doneWhen: looks.running(id))
            step("started")
        }
        return id
    }

    /// Brings an existing VM to its design. A policy change alone reaches a running VM
    /// through `controlvm`; anything else needs it powered off (`--restart` allowed that).
    func converge(
        _ name: String, uuid: String, offline: [VMSetting], online: [(slot: Int, policy: PromiscPolicy)], running: Bool,
        lab: String
    ) throws(VBoxLabError) {
        if running && offline.isEmpty {
            for o in online { try vbox.write(VBoxManage.setPromisc(uuid, slot: o.slot, o.policy)) }
            return
        }
        guard running else {
            try vbox.write(VBoxManage.modify(uuid, offline + online.map { .promisc(slot: $0.slot, $0.policy) }))
            progress("\(name): \(context.dryRun ? "would be changed" : "changed")")
            return
        }
        if context.dryRun {
            // Nothing runs: the commands are recorded, and the line says what would happen.
            try vbox.write(VBoxManage.acpiPowerButton(uuid))
            try vbox.write(VBoxManage.modify(uuid, offline + online.map { .promisc(slot: $0.slot, $0.policy) }))
            try vbox.write(VBoxManage.start(uuid), timeout: 300)
            progress(
                "\(name): would be shut down (ACPI, then powered off after \(Int(shutdownTimeout)) s), changed and "
                    + "started again"
            )
            return
        }
        // A VM shut down to be changed is started again on every path: a failed change, or
        // an interrupt meanwhile (its undo starts it, once; the main path's own start may be
        // refused or cut by then), never leaves it off.
        let changed = try context.safeguards.step(undo: { [self] in startWhenOff(name, uuid: uuid, lab: lab) }) {
            () throws(VBoxLabError) in
            try shutDown(name, uuid: uuid)
            let modified = Result { () throws(VBoxLabError) in
                try vbox.write(VBoxManage.modify(uuid, offline + online.map { .promisc(slot: $0.slot, $0.policy) }))
            }
            if case .success = modified { progress("\(name): changed") }
            try vbox.write(VBoxManage.start(uuid), timeout: 300, doneWhen: looks.running(uuid))
            return modified
        }
        progress("\(name): started again")
        _ = try changed.get()
    }

    /// Starts a VM again once it is off: a guest still shutting down (ACPI) is waited for, up
    /// to 20 s. One still running needs no start; one that cannot be started stays in the
    /// record's `stopped`, which `list` shows and the next create or fix-macs starts.
    func startWhenOff(_ name: String, uuid: String, lab: String) {
        let deadline = Date().addingTimeInterval(20)
        while true {
            let state = (try? vbox.read(["showvminfo", uuid, "--machinereadable"])).map {
                VBoxParse.machineReadable($0)["VMState"] ?? ""
            }
            switch state {
            case "poweroff", "aborted", "saved":
                // Refused while the VM is still going down: tried again until the deadline.
                if (try? vbox.write(VBoxManage.start(uuid), timeout: 300, doneWhen: looks.running(uuid))) != nil {
                    progress("\(name): started again")
                    return
                }
            case "running" where Date() >= deadline:
                return
            default:
                break
            }
            guard Date() < deadline else { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        progress("\(name): could not be started again; vboxlab fix-macs \(lab) --restart starts it")
    }

    /// ACPI first, as a person would press the button; power off when the guest does not stop in time.
    func shutDown(_ name: String, uuid: String) throws(VBoxLabError) {
        try vbox.write(VBoxManage.acpiPowerButton(uuid))
        progress("\(name): asked to shut down (ACPI)")
        guard !context.dryRun else {
            try vbox.write(VBoxManage.powerOff(uuid))
            return
        }
        let deadline = Date().addingTimeInterval(shutdownTimeout)
        while Date() < deadline {
            if VBoxParse.machineReadable(try vbox.read(["showvminfo", uuid, "--machinereadable"]))["VMState"]
                != "running"
            {
                return
            }
            Thread.sleep(forTimeInterval: 1)
        }
        progress("\(name): still running after \(Int(shutdownTimeout)) s; powering it off")
        try vbox.write(VBoxManage.powerOff(uuid))
    }

    /// The read after the writes: every lab VM as the plan has it, or an error that says what VirtualBox did not take.
    func confirm(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord) throws(VBoxLabError) {
        let mine = owned(record, in: try inventory())
        var wrong: [VMDesign.Change] = []
        for vm in spec.vms {
            guard let seen = mine[vm.name] else {
                throw .system(.disagrees("VirtualBox lists no VM \(vm.name) after creating it"))
            }
            wrong +=
                VMDesign(vm: vm, lab: spec.name, plan: plan, sshPort: nil, hostName: spec.hostName).diff(seen).changes
        }
        if !wrong.isEmpty {
            throw .system(
                .disagrees("VirtualBox did not take every change (read back with list -l vms):\n\(Self.render(wrong))"))
        }
    }
}
