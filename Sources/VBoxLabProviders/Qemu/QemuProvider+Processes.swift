import Foundation
import VBoxLabHost
import VBoxLabModel

/// Which running QEMU is a lab VM's. The one place that decides it, so that `list`, `status`,
/// `create` and `destroy` agree, and nothing else is ever counted, signalled or killed.
extension QemuProvider {
    /// The VM's QEMU, when it runs: the process the record names (pid and start time), else
    /// the one the VM's pid file names (a run killed after QEMU daemonized but before it
    /// recorded the process), and in either case only when its command line is this VM's:
    /// its `-name` and its overlay in the lab's folder.
    func process(of vm: String, lab: String, record: LabRecord?) -> QemuProcess? {
        let n = names(lab)
        guard let folder = n.ownedFolder(vm) else { return nil }
        let recorded = QemuProcess(identity: record?.owns(.qemuVM, named: vm)?.id)
        let candidates = [recorded, QemuProcess.fromPidFile("\(folder)/qemu.pid")].compactMap { $0 }
        return candidates.first {
            $0.isAlive && $0.runs(hostName: vmHostName(lab, vm), overlay: "\(folder)/disk.qcow2")
        }
    }

    /// Every recorded VM of the lab whose QEMU runs, with its process.
    func runningVMs(_ record: LabRecord) -> [(vm: String, process: QemuProcess)] {
        record.owned.filter { $0.kind == .qemuVM }.compactMap { o in
            process(of: o.name, lab: record.lab, record: record).map { (o.name, $0) }
        }
    }

    /// Processes whose command line is one of the record's VMs' QEMU, found by reading every
    /// process's command line: a QEMU that a killed run started may still be daemonizing, its
    /// pid file not yet written, and then only its command line says whose it is.
    func strays(_ record: LabRecord) -> [(vm: String, process: QemuProcess)] {
        let n = names(record.lab)
        let wanted = record.owned.filter { $0.kind == .qemuVM }.compactMap { o -> (String, String, String)? in
            n.ownedFolder(o.name).map { (o.name, vmHostName(record.lab, o.name), "\($0)/disk.qcow2") }
        }
        guard !wanted.isEmpty else { return [] }
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int.init)
        return pids.compactMap { pid in
            guard let p = QemuProcess.current(pid: pid) else { return nil }
            return wanted.first { p.runs(hostName: $0.1, overlay: $0.2) }.map { ($0.0, p) }
        }
    }

    /// Kills the strays of a lab until none is left (a daemonizing QEMU forks once more).
    func killStrays(_ record: LabRecord) {
        for _ in 0..<5 {
            let found = strays(record)
            if found.isEmpty { return }
            for (vm, p) in found {
                progress("\(vm): stopping a QEMU a stopped run started (pid \(p.pid))")
                // Checked by the wait below and the next round; a process already gone is the aim.
                _ = try? mutator.run(Command("kill", ["-KILL", String(p.pid)]))
                _ = p.waitForEnd(5)
            }
        }
    }

    /// A killed QEMU's taps go once the kernel has closed its last file, a moment later on a
    /// loaded host: waits (up to 5 s) until none of these VMs has a tap left in this
    /// namespace, so that a create right after destroy finds their names free.
    func waitForTapsToGo(of vms: [String], lab: String) {
        let prefixes = vms.map { String(names(lab).tap($0, slot: 0).dropLast()) }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let links = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
            if !links.contains(where: { link in prefixes.contains { link.hasPrefix($0) } }) { return }
            usleep(50_000)
        }
    }

    /// Removes what a VM left in the lab's folder and the runtime directory (its overlay, pid
    /// file, console log and monitor socket), for a name the record may hold: a name that is
    /// not a plain VM name inside the lab's folder is left, and said.
    func removeFiles(of vm: String, lab: String) {
        let n = names(lab)
        guard let folder = n.ownedFolder(vm) else {
            progress(
                "left \(vm.escapedOnOneLine) alone: the record names it, but it is not a VM folder inside "
                    + "\(n.labFolder)"
            )
            return
        }
        try? FileManager.default.removeItem(atPath: folder)  // gone already is as good
        unlink(n.qmp(vm))  // QEMU leaves its monitor socket behind when it is killed
    }
}
