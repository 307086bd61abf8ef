import Foundation
import VBoxLabHost
import VBoxLabModel

/// Reading a QEMU lab back, removing it, and reaching its guests.
extension QemuProvider {
    /// Each VM's process (alive and still the one recorded), its ssh forward as its QEMU
    /// runs it, and its NICs as the switch has them; the guests' side is read over ssh.
    public func observe(lab: String, vms: [String], record: LabRecord?) throws(VBoxLabError) -> LabObservation {
        let registering = RegisteringSwitch(lab: lab)
        let switchOwned = HostNamespaces.owned(by: record, existing: HostNamespaces.namespaces()).contains(
            registering.namespace)
        let state = try registering.observe(reader, exists: switchOwned)
        var states: [VMState] = []
        var details: [String: VMDetail] = [:]
        var anyRunning = false
        for vm in vms {
            let recorded = record?.owns(.qemuVM, named: vm)
            let process = self.process(of: vm, lab: lab, record: record)
            let seen = process.flatMap { QemuMachine.parse($0.argv) }
            anyRunning = anyRunning || process != nil
            let login = record.flatMap { _ in "root" } ?? "root"
            details[vm] = VMDetail(
                state: process != nil ? "running" : recorded != nil ? "off" : "missing",
                reach: seen.map { "ssh \(login)@127.0.0.1:\($0.sshPort)" })
            let ports =
                process == nil ? [] : state.ports.filter { $0.key.vm == vm }.sorted { $0.key.slot < $1.key.slot }
            states.append(
                VMState(
                    name: vm, running: process != nil,
                    nics: ports.map { ref, port in
                        NICState(
                            slot: ref.slot, network: port.network ?? "?",
                            registeredMac: port.registered ?? MACAddress(0), promisc: port.policy,
                            interface: nil, guestMac: nil, linkUp: true, addresses: [], bridge: nil)
                    }, bridges: []))
        }
        var observation = LabObservation(
            lab: lab, provider: name, state: LabState(lab: lab, vms: states), details: details,
            switches: state.switches(namespace: registering.namespace), exists: switchOwned || anyRunning)
        if !switchOwned && anyRunning { observation.missingSwitch = "namespace \(registering.namespace)" }
        return observation
    }

    /// Powers off every VM that is still the process it recorded (QMP, then a kill), then
    /// removes the overlays and the switch namespace; taps go with their QEMU. Returns the VMs.
    public func destroy(_ record: LabRecord) throws(VBoxLabError) -> [String] {
        var removed: [String] = []
        let vms = record.owned.filter { $0.kind == .qemuVM }
        let live = runningVMs(record)
        _ = parallelMap(live, width: Parallelism.reads) { vm, p in stop(vm, process: p, lab: record.lab, gently: false)
        }
        removed += live.map(\.vm)
        let n = names(record.lab)
        if !context.dryRun {
            killStrays(record)
            waitForTapsToGo(of: vms.map(\.name), lab: record.lab)
            // Only a VM's own folder inside the lab's: a record is never a licence to delete elsewhere.
            for o in vms { removeFiles(of: o.name, lab: record.lab) }
            if let folder = n.ownedLabFolder { rmdir(folder) }  // empty by now; anything else in it stays
            // The short monitor folder, once no lab's socket is left in it.
            if n.monitorFolder != n.runtime { rmdir(n.monitorFolder) }
        }
        let ours = HostNamespaces.owned(by: record, existing: HostNamespaces.namespaces())
        for o in record.owned where o.kind == .namespace && ours.contains(o.name) {
            try mutator.check(Command("ip", ["netns", "del", o.name]))
        }
        return removed
    }

    public func survey(_ record: LabRecord) -> LabSurvey {
        let running = runningVMs(record).count
        let switchThere = !HostNamespaces.owned(by: record, existing: HostNamespaces.namespaces()).isEmpty
        var notes: [String] = []
        if record.pending { notes.append("a create was stopped half-way") }
        if running < record.vms.count {
            notes.append("\(record.vms.count - running) of \(record.vms.count) VMs not running")
        }
        if !switchThere { notes.append("switch namespace missing") }
        return LabSurvey(
            running: running, total: record.vms.count, matches: notes.isEmpty,
            note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// ssh on each VM's forward, with the login of the image it boots (or the spec's, for an
    /// image of its own).
    public func transports(spec: LabSpec, record: LabRecord?) throws(VBoxLabError) -> [String: GuestTransport] {
        let image = try? QemuImage.resolve(spec.base, specFile: spec.file)
        var out: [String: GuestTransport] = [:]
        for vm in spec.vms {
            let process = self.process(of: vm.name, lab: spec.name, record: record)
            var port = process.flatMap { QemuMachine.parse($0.argv)?.sshPort }
            if port == nil { port = record?.qemuPort(vm.name) }
            if port == nil, case .nat(let fixed?) = vm.management { port = fixed }
            let booted = image.flatMap { try? bootedImage(vm, spec: spec, labImage: $0) }
            let login = booted?.login(for: vm, spec: spec) ?? SSHLogin(user: "root")
            out[vm.name] = context.ssh(lab: spec.name, vm: vm.name, login: login, host: "127.0.0.1", port: port)
        }
        return out
    }

    public func switchCapture(_ plan: RegistrationPlan, transports: [String: GuestTransport]) -> SwitchCapture? {
        QemuCapture(runner: reader, plan: plan, transports: transports)
    }
}
