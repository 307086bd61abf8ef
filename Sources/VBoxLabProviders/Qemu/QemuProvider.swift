import Foundation
import VBoxLabHost
import VBoxLabModel

/// A lab of real guests: each VM a QEMU process wired as VirtualBox wires a VM (NAT on
/// NIC 1 with the ssh forward, e1000 lab NICs in VirtualBox's PCI slots), its lab NICs'
/// taps moved into the lab's `RegisteringSwitch`, the same switch netns labs use. The
/// switch's static entries are the NICs' registrations and its flooding their
/// promiscuous policy; the NICs' own MACs are fixed while QEMU runs.
public struct QemuProvider: LabProvider {
    public let context: ProviderContext
    public var name: String { Self.descriptor.name }
    let program: String

    public init(context: ProviderContext, program: String = QemuProvider.programFromEnvironment()) {
        self.context = context
        self.program = program
    }

    var reader: CommandRunner { context.reader }
    var mutator: CommandRunner { context.mutator }
    var progress: ProgressHandler { context.progress }

    func names(_ lab: String) -> QemuNames { QemuNames(lab: lab, state: context.store.state, runtime: context.runtime) }

    /// The VM's name on the host (QEMU's `-name`): the lab's prefix, as VirtualBox VMs get.
    func vmHostName(_ lab: String, _ vm: String) -> String { "\(lab)-\(vm)" }

    public func checkPrerequisites(pinging: Bool) throws(VBoxLabError) {
        if !Privileges.isRoot {
            throw .missing(
                what: "root", fix: "taps and the lab's switch namespace need root; run it as root (sudo vboxlab ...)")
        }
        for tool in [program, "qemu-img", "ip", "bridge"] where ProcessRunner.resolve(tool) == nil {
            throw .missing(
                what: "'\(tool)'",
                fix: tool == "ip" || tool == "bridge"
                    ? ProcessRunner.installHint(tool) : "apt-get install qemu-system-x86 qemu-utils")
        }
        // QEMU's options are comma-separated: a path with a comma would be cut in two.
        for path in [context.store.state, context.runtime] where path.contains(",") {
            throw .prerequisite(
                .unusable(
                    what: path, reason: "QEMU's options are comma-separated, and this path has a comma",
                    fix: "point XDG_STATE_HOME and XDG_RUNTIME_DIR at folders whose paths have no comma"))
        }
    }

    public func prepare(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, mode: ApplyMode)
        throws(VBoxLabError) -> ProviderChange
    {
        try refuseOtherManagement(spec)
        let image = try QemuImage.resolve(spec.base, specFile: spec.file)
        let registering = RegisteringSwitch(lab: plan.lab)
        let switchOwned = try switchIsOwned(registering, lab: plan.lab, record: record)
        // A stopped lab is not new: its overlays hold its guests, and a failed start must keep them.
        let fresh = !switchOwned && runningVMs(record).isEmpty && record.rest == nil
        if fresh, mode.isFix { throw .lab(.notCreated(lab: plan.lab, provider: name)) }
        let work = try decide(plan, spec: spec, record: record, image: image, mode: mode)
        let observed = fresh ? nil : try observe(lab: plan.lab, vms: plan.vmNames, record: record).state
        progress(
            fresh
                ? "creating \(counted(plan.vmNames.count, "QEMU VM")) (\(Self.accelInWords(accel(image)))) and "
                    + "\(counted(Set(plan.nics.map(\.network)).count, "internal network"))"
                : work.start.isEmpty && work.remove.isEmpty
                    ? "lab \(plan.lab) exists; its VMs run as planned"
                    : "lab \(plan.lab) exists; bringing it to the plan")

        var record = record
        record.vms = plan.vmNames
        record.prefix = plan.lab
        if record.owns(.namespace, named: registering.namespace) == nil || !switchOwned {
            record.owned.removeAll { $0.kind == .namespace }
            record.owned.append(OwnedObject(kind: .namespace, name: registering.namespace, id: nil))
        } else if !context.dryRun {
            // A switch adopted from a stopped run: this run's record is not pending, so it names it by identity.
            record = HostNamespaces.pinned(record)
        }
        record.stopped = work.restart.isEmpty ? nil : work.restart.map(\.vm)
        let failure =
            fresh
            ? "create failed; removing what this run made"
            : "failed; the lab is as far as it got: vboxlab fix-macs \(plan.lab) --restart brings it to the plan"
        return ProviderChange(
            record: record, makes: fresh || !switchOwned, failure: failure,
            make: { [self, record] persist throws(VBoxLabError) in
                var record = record
                var (changes, booted) = try execute(
                    work, plan: plan, record: &record, switchOwned: switchOwned, persist: persist)
                if fresh { changes = ["created lab \(plan.lab)"] }
                var outcome = ApplyOutcome(
                    created: fresh, changes: changes, record: record, guestInterfaces: Self.interfaces(plan),
                    observed: observed)
                outcome.bootedInsteadOfResumed = booted
                return outcome
            },
            // A new lab goes whole: the record as last written has every VM started.
            // A lab that existed keeps what this run made: a switch it made again is named by identity.
            undo: { [self] written in
                guard let written else { return UndoResult(clean: true) }
                guard fresh else { return UndoResult(clean: true, record: HostNamespaces.pinned(written)) }
                return UndoResult(clean: (try? self.destroy(written)) != nil)
            })
    }

    /// Whether the switch namespace is the lab's own; one of its name that is not is refused.
    private func switchIsOwned(_ registering: RegisteringSwitch, lab: String, record: LabRecord) throws(VBoxLabError)
        -> Bool
    {
        let existing = HostNamespaces.namespaces()
        let owned = HostNamespaces.owned(by: record, existing: existing).contains(registering.namespace)
        if !owned && existing.contains(registering.namespace) {
            throw .lab(
                .taken(
                    lab: lab, what: "namespaces",
                    objects: ["\(registering.namespace) (not made by vboxlab for lab \(lab))"],
                    fix: "Rename the lab, or remove it (ip netns del \(registering.namespace)) if nothing needs it"))
        }
        return owned
    }

    /// The guest interface of each lab NIC: QEMU gives the guest the slot's usual name.
    private static func interfaces(_ plan: RegistrationPlan) -> [String: [Int: String]] {
        Dictionary(
            uniqueKeysWithValues: plan.vmNames.map { vm in
                (
                    vm,
                    Dictionary(
                        uniqueKeysWithValues: plan.nics(of: vm).map { ($0.slot, GuestInterfaceName.forSlot($0.slot)) })
                )
            })
    }

    /// Removals, restarts, starts, then the switch: taps exist once their QEMU has started,
    /// and move into the switch as its ports.
    private func execute(
        _ work: QemuWork, plan: RegistrationPlan, record: inout LabRecord, switchOwned: Bool,
        persist: RecordWriter
    ) throws(VBoxLabError) -> (changes: [String], booted: Set<String>) {
        var changes: [String] = []
        for o in work.remove {
            if let p = process(of: o.name, lab: plan.lab, record: record) {
                stop(o.name, process: p, lab: plan.lab, gently: false)
            }
            if !context.dryRun { removeFiles(of: o.name, lab: plan.lab) }
            record.forgetQemu(o.name)
            changes.append("removed VM \(o.name)")
            progress("\(o.name): \(context.dryRun ? "would be removed" : "removed") (the spec no longer has it)")
        }
        for r in work.restart {
            progress("\(r.vm): \(context.dryRun ? "would be shut down" : "shutting down") to change it (\(r.why))")
            stop(r.vm, process: work.running[r.vm]!.process, lab: plan.lab, gently: true)
            changes.append("\(r.vm): \(r.why)")
        }
        let seen = try RegisteringSwitch(lab: plan.lab).observe(reader, exists: switchOwned)
        let booted = try startAll(work, plan: plan, record: &record, persist: persist, changes: &changes)
        let ports = plan.nics.map { SwitchPort($0, link: .existing(names(plan.lab).tap($0.vm, slot: $0.slot))) }
        let switchWork = RegisteringSwitch(lab: plan.lab).work(
            ports, seen: seen, renewed: Set(work.start), vanishing: Set(work.remove.map(\.name)))
        if !switchWork.isEmpty { try RegisteringSwitch(lab: plan.lab).apply(switchWork, through: mutator) }
        changes += switchWork.changes
        if !context.dryRun, let i = record.owned.firstIndex(where: { $0.kind == .namespace }) {
            record.owned[i].id = HostNamespaces.identity(record.owned[i].name)
        }
        return (changes, booted)
    }

    /// Starts the VMs to start, each recorded as soon as its process is known. Answers the
    /// VMs that had a running state to resume and were booted instead.
    private func startAll(
        _ work: QemuWork, plan: RegistrationPlan, record: inout LabRecord, persist: RecordWriter,
        changes: inout [String]
    ) throws(VBoxLabError) -> Set<String> {
        var booted: Set<String> = []
        for vm in plan.vmNames where work.start.contains(vm) {
            let started = Date()
            var design = work.designs[vm]!
            var process: QemuProcess?
            var lostState = false
            for attempt in 1...3 {
                // In the record before QEMU can outlive this run: a run killed while QEMU starts
                // leaves a VM that destroy finds (by its pid file) and stops.
                record.recordQemu(vm, process: nil, machine: design)
                try persist(record)
                do {
                    (process, lostState) = try startOrResume(design, vm: vm, image: work.images[vm]!, record: record)
                    break
                } catch {
                    // Another program took the ssh port between the look and QEMU's start: a port
                    // vboxlab chose is chosen again; one the spec fixed is the spec's to change.
                    guard attempt < 3, !work.fixedPorts.contains(vm),
                        case .system(.commandFailed(_, _, let said)) = error,
                        said.contains(QemuProcess.forwardRefused)
                    else { throw error }
                    design.sshPort = LocalPort.free(from: design.sshPort + 1, avoiding: [])
                }
            }
            record.recordQemu(vm, process: process, machine: design)
            try persist(record)
            let port = design.sshPort
            progress(
                context.dryRun
                    ? "\(vm): would be started (ssh on 127.0.0.1:\(port))"
                    : String(
                        format: "%@: started, pid %d, ssh on 127.0.0.1:%d (%.2f s)", vm, process!.pid, port,
                        Date().timeIntervalSince(started)))
            if work.running[vm] == nil { changes.append("started VM \(vm)") }
            if lostState { booted.insert(vm) }
        }
        return booted
    }

    /// NIC 1 is QEMU's user network, VirtualBox's NAT: a spec that bridges it cannot run here.
    private func refuseOtherManagement(_ spec: LabSpec) throws(VBoxLabError) {
        for (i, vm) in spec.vms.enumerated() {
            if case .nat = vm.management { continue }
            throw .spec(
                .invalid([
                    SpecDiagnostic(
                        file: spec.file, path: "vms[\(i)].management",
                        message:
                            "\(name) gives NIC 1 NAT only (restrict=on: the guest reaches nothing outside); remove "
                            + "management or use another provider"
                    )
                ]))
        }
    }
}
