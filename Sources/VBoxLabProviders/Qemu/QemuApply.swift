import Foundation
import VBoxLabHost
import VBoxLabModel

/// What one create or fix-macs does to a QEMU lab, decided before anything is changed.
struct QemuWork {
    /// Every VM's machine as the plan wants it.
    var designs: [String: QemuMachine] = [:]
    /// Running VMs of the lab, with what their QEMU runs with.
    var running: [String: (process: QemuProcess, seen: QemuMachine.Running)] = [:]
    /// VMs to start: new, stopped, or shut down to change a NIC's MAC or the NIC set.
    var start: [String] = []
    /// Running VMs to shut down first (their NICs must change), with why.
    var restart: [(vm: String, why: String)] = []
    /// Recorded VMs the spec no longer has.
    var remove: [OwnedObject] = []
    /// Each VM's image: its own `base: { image }`, else the lab's.
    var images: [String: QemuImage] = [:]
    /// VMs whose ssh port the spec fixes (`management: { nat: { sshPort } }`).
    var fixedPorts: Set<String> = []
}

extension QemuProvider {
    /// Decides the work: which VMs start, which must restart (a NIC's MAC is fixed while
    /// QEMU runs, as VirtualBox's while a VM runs), which go.
    func decide(_ plan: RegistrationPlan, spec: LabSpec, record: LabRecord, image: QemuImage, mode: ApplyMode)
        throws(VBoxLabError) -> QemuWork
    {
        var work = QemuWork()
        for vm in spec.vms {
            work.images[vm.name] = try bootedImage(vm, spec: spec, labImage: image, say: true)
        }
        for (vm, p) in runningVMs(record) {
            guard let seen = QemuMachine.parse(p.argv) else { continue }
            work.running[vm] = (p, seen)
        }
        var used = Set(work.running.values.map(\.seen.sshPort)).union(otherLabsPorts(record.lab))
        // A VM keeps its forward across restarts while the port stays free. Every VM's own port
        // is set aside first, so that a VM whose port was taken never takes another VM's.
        var kept: [String: Int] = [:]
        for vm in spec.vms {
            if case .nat(let fixed?) = vm.management {
                used.insert(fixed)
            } else if let port = work.running[vm.name]?.seen.sshPort {
                kept[vm.name] = port
            } else if let port = record.qemuPort(vm.name), !used.contains(port), LocalPort.isFree(port) {
                kept[vm.name] = port
                used.insert(port)
            }
        }
        for vm in spec.vms {
            let port: Int
            if case .nat(let fixed?) = vm.management {
                port = fixed
                work.fixedPorts.insert(vm.name)
            } else {
                // A VM whose port was taken looks just above it, for a port near the one the user knew.
                port =
                    kept[vm.name]
                    ?? LocalPort.free(from: record.qemuPort(vm.name).map { $0 + 1 } ?? 2222, avoiding: used)
            }
            used.insert(port)
            let own = work.images[vm.name]!
            work.designs[vm.name] = machine(vm, plan: plan, image: own, sshPort: port, accel: accel(own))
        }
        for vm in spec.vms {
            guard let (_, seen) = work.running[vm.name] else {
                work.start.append(vm.name)
                continue
            }
            let want = work.designs[vm.name]!
            if let why = Self.mustRestart(seen: seen, want: want) { work.restart.append((vm.name, why)) }
        }
        work.remove = record.owned.filter { $0.kind == .qemuVM && !plan.vmNames.contains($0.name) }
        let restart = mode.mayRestart
        if !work.restart.isEmpty && !restart && !context.dryRun {
            let table = TextTable.render([["VM", "why"]] + work.restart.map { [$0.vm, $0.why] }).map { "  " + $0 }
                .joined(separator: "\n")
            throw .lab(.mustPowerOff(lab: plan.lab, vms: work.restart.map(\.vm), table: table))
        }
        work.start += work.restart.map(\.vm)
        return work
    }

    /// Why a running QEMU cannot become `want` without a restart, or nil when it can.
    static func mustRestart(seen: QemuMachine.Running, want: QemuMachine) -> String? {
        if seen.sshPort != want.sshPort { return "ssh forward \(seen.sshPort) → \(want.sshPort)" }
        let have = Dictionary(uniqueKeysWithValues: seen.nics.map { ($0.slot, $0.mac) })
        let wanted = Dictionary(uniqueKeysWithValues: want.nics.map { ($0.slot, $0.mac) })
        if Set(have.keys) != Set(wanted.keys) {
            return
                "NIC slots \(have.keys.sorted().map(String.init).joined(separator: ",")) → "
                + "\(wanted.keys.sorted().map(String.init).joined(separator: ","))"
        }
        for slot in wanted.keys.sorted() where have[slot] != wanted[slot] {
            return "slot \(slot): MAC \(have[slot]!) → \(wanted[slot]!)"
        }
        return nil
    }

    /// A VM's machine as the plan wants it.
    func machine(_ vm: VMSpec, plan: RegistrationPlan, image: QemuImage, sshPort: Int, accel: String) -> QemuMachine {
        let n = names(plan.lab)
        let nics = plan.nics(of: vm.name).sorted { $0.slot < $1.slot }.map {
            QemuMachine.NIC(slot: $0.slot, mac: $0.mac, tap: n.tap(vm.name, slot: $0.slot))
        }
        // NIC 1's MAC, VirtualBox's prefix and the rest from the names: stable across restarts.
        let management = MACAddress(0x08_00_27_00_00_00 | (fnv1a("management/\(plan.lab)/\(vm.name)") & 0xFF_FFFF))
        return QemuMachine(
            hostName: vmHostName(plan.lab, vm.name), memory: vm.memory, cpus: vm.cpus, accel: accel, sshPort: sshPort,
            managementMAC: management, nics: nics, overlay: n.overlay(vm.name), boot: image.boot,
            machineID: n.machineID(vm.name),
            qmp: n.qmp(vm.name), pidFile: n.pidFile(vm.name), console: n.console(vm.name), guestName: vm.name,
            cpu: accel == "tcg" ? image.tcgCPU : nil)
    }

    /// The image a VM boots: the one its overlay was made from, when it has one (an image
    /// built since, or another base in the spec, would not boot that disk or know its login),
    /// else the spec's: the VM's own base, or the lab's. With `say`, a VM kept on an image
    /// that is no longer the spec's is said.
    func bootedImage(_ vm: VMSpec, spec: LabSpec, labImage: QemuImage, say: Bool = false) throws(VBoxLabError)
        -> QemuImage
    {
        let wanted = vm.base == nil ? labImage : try QemuImage.resolve(vm.base, specFile: spec.file)
        guard let made = QemuImage.madeFrom(overlay: names(spec.name).overlay(vm.name)) else { return wanted }
        if say && made.disk != wanted.disk {
            let folder = (made.disk as NSString).deletingLastPathComponent
            progress(
                "\(vm.name): keeps the image its disk was made from (\(folder)); destroy and create the lab to move "
                    + "it to \(wanted.disk)")
        }
        return made
    }

    /// Ports other labs' VMs forward (recorded, running or not), so two labs never pick the same.
    func otherLabsPorts(_ lab: String) -> Set<Int> {
        Set(
            context.store.all().filter { $0.lab != lab && $0.provider == name }.flatMap { r in
                r.vms.compactMap(r.qemuPort)
            })
    }

    /// Starts one VM: its overlay if it has none, then QEMU, which daemonizes once its
    /// taps exist. Returns the running process.
    func start(_ m: QemuMachine, vm: String, image: QemuImage, lab: String, resume state: String? = nil)
        throws(VBoxLabError) -> QemuProcess?
    {
        let n = names(lab)
        if !context.dryRun {
            try PrivateDirectory.ensure(n.folder(vm))
            try PrivateDirectory.ensure(n.monitorFolder)
        }
        if !FileManager.default.fileExists(atPath: m.overlay) {
            try mutator.check(
                Command(
                    "qemu-img", ["create", "-q", "-f", "qcow2", "-b", image.disk, "-F", "qcow2", m.overlay], timeout: 60
                ))
        }
        try? FileManager.default.removeItem(atPath: m.pidFile)  // a stale one must not name another process
        do {
            // Resuming, QEMU reads the saved memory back before it daemonizes.
            let argv = m.argv + (state.map { ["-loadvm", $0] } ?? [])
            try mutator.check(Command(program, argv, timeout: state == nil ? 60 : Self.saveLimit))
        } catch {
            unlink(m.qmp)  // a QEMU that failed to start leaves its monitor socket
            throw error
        }
        if context.dryRun { return nil }
        guard let p = QemuProcess.fromPidFile(m.pidFile) else {
            throw .commandFailed(
                command: Command(program, m.argv).description, status: 0,
                stderr: "QEMU started but no running process is in \(m.pidFile); see \(m.console)")
        }
        return p
    }

    /// Powers a VM off: the power button (ACPI) when `gently`, then QMP's `quit`, then a kill.
    func stop(_ vm: String, process: QemuProcess, lab: String, gently: Bool, wait: Double = 60) {
        if context.dryRun {
            progress("\(vm): would be \(gently ? "shut down (ACPI)" : "powered off")")
            return
        }
        let qmp = names(lab).qmp(vm)
        if gently && QMP.execute("system_powerdown", socket: qmp) && process.waitForEnd(wait) { return }
        if QMP.execute("quit", socket: qmp) && process.waitForEnd(5) { return }
        // A QEMU already gone is the aim; the undo checks what is left.
        _ = try? mutator.run(Command("kill", ["-KILL", String(process.pid)]))
        _ = process.waitForEnd(5)
    }
}
