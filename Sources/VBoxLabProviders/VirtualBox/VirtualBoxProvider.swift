import Foundation
import VBoxLabHost
import VBoxLabModel

/// Labs of VirtualBox VMs, through the real `VBoxManage`. Every VM
/// it makes is addressed by UUID from then on (names may repeat in VirtualBox); the lab
/// record keeps the UUIDs. Reads: one `list -l vms` per command (it shows every VM with
/// its NICs and promiscuous policies). Writes: per new VM a clone (or import), one
/// `modifyvm` with every setting, and a `startvm`.
public struct VirtualBoxProvider: LabProvider {
    public let context: ProviderContext
    public let vbox: VBoxManage
    public var name: String { Self.descriptor.name }
    /// VMs worked on at once: VBoxSVC serializes much of it, and each VM's calls run in order.
    public static let vmsAtOnce = 4
    /// Deletes: one at a time, since VBoxSVC stalled when they overlapped.
    static let disksAtOnce = 1
    public var width = vmsAtOnce
    /// How long `--restart` waits for an ACPI shutdown before it powers a VM off.
    public var shutdownTimeout = 60.0

    public init(context: ProviderContext, program: String = VBoxManage.programFromEnvironment()) {
        self.context = context
        var vbox = VBoxManage(program: program, reader: context.reader, writer: context.mutator)
        vbox.progress = context.progress
        self.vbox = vbox
    }

    var progress: ProgressHandler { context.progress }

    public func checkPrerequisites(pinging: Bool) throws(VBoxLabError) {
        guard ProcessRunner.resolve(vbox.program) != nil else {
            throw .missing(
                what: "VBoxManage ('\(vbox.program)')",
                fix: "install VirtualBox or set VBOXLAB_VBOXMANAGE; without VirtualBox, use --provider netns")
        }
        let text = try vbox.read(["--version"])
        guard let v = VBoxParse.version(text), v.lexicographicallyPrecedes([6, 1]) == false else {
            throw .prerequisite(
                .tooOld(
                    what: "VirtualBox", need: "6.1 or later",
                    found: "\(vbox.program) --version says \(text.trimmingCharacters(in: .whitespacesAndNewlines))"))
        }
        if pinging, ProcessRunner.resolve("ssh") == nil {
            throw .missing(what: "'ssh'", fix: ProcessRunner.installHint("ssh"))
        }
    }

    /// Every VM on the host, as `list -l vms` shows it.
    func inventory() throws(VBoxLabError) -> [VBoxVM] { VBoxParse.inventory(try vbox.read(["list", "-l", "vms"])) }

    /// The record's VMs that VirtualBox still has and that are the lab's (`belongs`), by
    /// name: a recorded UUID of a VM elsewhere is never the lab's to change or delete.
    func owned(_ record: LabRecord?, in vms: [VBoxVM]) -> [String: VBoxVM] {
        guard let record else { return [:] }
        var out: [String: VBoxVM] = [:]
        for o in record.owned where o.kind == .vm {
            if let id = o.id, let vm = vms.first(where: { $0.uuid == id }), belongs(vm, to: record, as: o) {
                out[o.name] = vm
            }
        }
        return out
    }

    public func observe(lab: String, vms: [String], record: LabRecord?) throws(VBoxLabError) -> LabObservation {
        let mine = owned(record, in: try inventory())
        var states: [VMState] = []
        var details: [String: VMDetail] = [:]
        for name in vms {
            guard let vm = mine[name] else {
                details[name] = VMDetail(state: "missing")
                states.append(VMState(name: name, running: false, nics: [], bridges: []))
                continue
            }
            details[name] = VMDetail(state: vm.state)
            let nics = vm.nics.keys.sorted().filter { $0 >= 2 }.compactMap { slot -> NICState? in
                guard let n = vm.nics[slot], let onHost = n.network else { return nil }
                // The frame model and the diagnosis speak the spec's names.
                let network = record?.specName(ofHost: onHost) ?? onHost
                // The guest side (interface, guest MAC, addresses) needs the guest: unknown here.
                return NICState(
                    slot: slot, network: network, registeredMac: n.mac ?? MACAddress(0), promisc: n.promisc,
                    interface: nil, guestMac: nil, linkUp: n.cable, addresses: [], bridge: nil)
            }
            states.append(VMState(name: name, running: vm.running, nics: nics, bridges: []))
        }
        return LabObservation(
            lab: lab, provider: name, state: LabState(lab: lab, vms: states), details: details, switches: [],
            exists: !mine.isEmpty)
    }

    /// Powers off and deletes the lab's VMs, by UUID. A VM is the lab's when the record has
    /// its UUID and VirtualBox shows it in the lab's group: a recorded UUID of a VM elsewhere
    /// (another lab's, a base) is never touched, and is named.
    public func destroy(_ record: LabRecord) throws(VBoxLabError) -> [String] {
        let listed = try inventory()
        let running = Set(listed.filter(\.running).map(\.uuid))
        var mine: [OwnedObject] = []
        var cleared: [String] = []
        for o in record.owned where o.kind == .vm {
            guard let id = o.id ?? o.makingAs.flatMap(uuid(named:)), let vm = listed.first(where: { $0.uuid == id })
            else {
                if context.dryRun { continue }
                if record.pending, let id = o.id, clearStale(name: record.hostName(o.name), uuid: id) {
                    cleared.append(o.name)
                } else if clearOrphan(name: record.hostName(o.name), group: VMDesign.group(of: record.lab)) {
                    cleared.append(o.name)
                }
                continue
            }
            if belongs(vm, to: record, as: o) {
                mine.append(OwnedObject(kind: .vm, name: o.name, id: id))
            } else {
                progress(
                    "not deleting \(id): it is VM \(vm.name) in group \(vm.groups.joined(separator: ",")), not in "
                        + "lab \(record.lab)'s group \(VMDesign.group(of: record.lab))"
                )
            }
        }
        let vbox = self.vbox
        let progress = self.progress
        // One at a time: deleting linked clones of one base at once stalled for 10 s now and then.
        let results = parallelMap(mine, width: Self.disksAtOnce) { o in
            Result { () throws(VBoxLabError) in
                let started = Date()
                if running.contains(o.id!) { try vbox.write(VBoxManage.powerOff(o.id!)) }
                try vbox.write(VBoxManage.unregisterDelete(o.id!))
                progress(String(format: "%@: deleted (%.2f s)", o.name, Date().timeIntervalSince(started)))
                return o.name
            }
        }
        var removed = cleared
        for r in results { removed.append(try r.get()) }
        removeGroupFolder(lab: record.lab)
        return removed
    }

    /// The bases of Vagrant boxes on this host, and which recorded labs clone each.
    public func bases(records: [LabRecord]) throws(VBoxLabError) -> [(vm: VBoxVM, labs: [String])] {
        try inventory().filter { $0.groups.contains(VagrantBox.baseGroup) }.map { vm in
            (vm, records.filter { $0.bases?.contains(vm.name) == true }.map(\.lab))
        }
    }

    /// Deletes the bases no recorded lab clones (a base with clones cannot be deleted whole:
    /// VirtualBox unregisters it and leaves its files).
    public func pruneBases(records: [LabRecord]) throws(VBoxLabError) -> [String] {
        var removed: [String] = []
        for (vm, labs) in try bases(records: records) where labs.isEmpty {
            if let clones = try clonesOf(vm), clones > 0 {
                progress(
                    "\(vm.name): kept: \(clones) VM disk\(clones == 1 ? "" : "s") outside the records still build on it"
                )
                continue
            }
            try vbox.write(VBoxManage.unregisterDelete(vm.uuid))
            progress("\(vm.name): deleted (no lab uses it)")
            removed.append(vm.name)
        }
        return removed
    }

    public func survey(_ record: LabRecord) -> LabSurvey {
        guard let listed = try? VBoxParse.vmList(vbox.read(["list", "vms"])),
            let running = try? Set(VBoxParse.vmList(vbox.read(["list", "runningvms"])).map(\.uuid))
        else {
            return LabSurvey(running: 0, total: record.vms.count, matches: false, note: "VBoxManage could not be read")
        }
        let ids = record.owned.filter { $0.kind == .vm }.compactMap(\.id)
        let present = ids.filter { id in listed.contains { $0.uuid == id } }
        let missing = record.owned.filter { $0.kind == .vm && !present.contains($0.id ?? "") }.map(\.name)
        return LabSurvey(
            running: present.filter(running.contains).count, total: record.vms.count,
            matches: missing.isEmpty && !record.pending,
            note: record.pending
                ? "a create was stopped half-way"
                : missing.isEmpty ? nil : "missing: \(missing.joined(separator: ", "))")
    }

    /// ssh to each VM: the spec's host and port, else the host of a bridged or host-only
    /// management NIC, else the VM's NAT forward on 127.0.0.1 (one read for all VMs).
    public func transports(spec: LabSpec, record: LabRecord?) throws(VBoxLabError) -> [String: GuestTransport] {
        let mine = owned(record, in: try inventory())
        var out: [String: GuestTransport] = [:]
        for vm in spec.vms {
            var host = "127.0.0.1"
            var port: Int?
            switch vm.management {
            case .nat: port = mine[vm.name]?.natRules.first { $0.slot == 1 && $0.guestPort == 22 }?.hostPort
            case .bridged(_, let h), .hostonly(_, let h): host = h ?? vm.name
            }
            out[vm.name] = try context.sshTransport(spec: spec, vm: vm, host: host, port: port)
        }
        return out
    }

    public func switchCapture(_ plan: RegistrationPlan, transports: [String: GuestTransport]) -> SwitchCapture? {
        nil
    }
}
