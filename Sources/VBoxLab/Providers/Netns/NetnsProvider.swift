import Foundation

/// Builds, converges, inspects and removes a lab made of network namespaces
/// (lab-spec §4). Commands that change the system go through `mutator` (a recorder
/// under `--dry-run`); commands that only read go through `reader`.
public struct NetnsProvider: Sendable {
    public let reader: CommandRunner
    public let mutator: CommandRunner
    public let progress: ProgressHandler
    public var manifestDirectory = "/run/vboxlab"

    public init(runner: CommandRunner, dryRun: RecordingRunner? = nil, progress: @escaping ProgressHandler = { _ in }) {
        reader = runner; mutator = dryRun ?? runner; self.progress = progress
    }

    /// Root, `ip` and `bridge`: without them nothing here works (exit 4).
    public static func checkPrerequisites(needPing: Bool = false) throws(VBoxLabError) {
        if geteuid() != 0 {
            throw .missing(what: "root", fix: "network namespaces need root; run it as root (sudo vboxlab ...)")
        }
        for tool in ["ip", "bridge"] + (needPing ? ["ping"] : []) where ProcessRunner.resolve(tool) == nil {
            throw .missing(what: "'\(tool)'", fix: ProcessRunner.installHint(tool))
        }
    }

    public struct CreateOutcome: Sendable { public var created: Bool; public var changes: [String] }

    /// A new lab is built from three batches; an existing one is brought to the plan
    /// (so a second `create` changes nothing and says so).
    public func create(_ plan: RegistrationPlan, setup: Bool) throws(VBoxLabError) -> CreateOutcome {
        let layout = NetnsLayout(plan: plan)
        let before = NetnsObserver.existingNamespaces()
        if before.contains(layout.names.switchNamespace) {
            progress("lab \(plan.lab) exists; bringing it to the plan")
            return CreateOutcome(created: false, changes: try converge(plan, setup: setup))
        }
        let ours = layout.allNamespaces.filter { !before.contains($0) }
        let undo = Cleanup.shared.push { [mutator] in
            let now = NetnsObserver.existingNamespaces()
            let batch = ours.filter(now.contains).map { "netns del \($0)" }.joined(separator: "\n")
            if !batch.isEmpty { _ = try? mutator.run(Command("ip", ["-force", "-batch", "-"], input: batch + "\n")) }
        }
        do {
            let started = Date()
            progress("creating \(layout.allNamespaces.count) namespaces, \(layout.networks.count) switches, \(plan.nics.count) NICs")
            try mutator.check(Command("ip", ["-batch", "-"], input: layout.rootBatch))
            try mutator.check(Command("ip", ["-n", layout.names.switchNamespace, "-batch", "-"], input: layout.switchBatch))
            try mutator.check(Command("bridge", ["-n", layout.names.switchNamespace, "-batch", "-"], input: layout.fdbBatch))
            writeManifest(plan.lab, layout.allNamespaces)
            raiseNeighbourLimits(endpoints: plan.nics.filter { $0.ip != nil }.count + plan.bridges.filter { $0.ip != nil }.count)
            progress(String(format: "lab %@ built in %.2f s", plan.lab, Date().timeIntervalSince(started)))
            var changes = ["created lab \(plan.lab)"]
            if setup { changes += try setUpGuests(plan, interfaces: [:]) }
            Cleanup.shared.drop(undo)
            return CreateOutcome(created: true, changes: changes)
        } catch {
            progress("create failed; removing what this run made")
            Cleanup.shared.run(undo)
            throw error
        }
    }

    /// Registrations and policies on the switch, then the guests: only what differs.
    public func converge(_ plan: RegistrationPlan, setup: Bool = true) throws(VBoxLabError) -> [String] {
        let observation = try NetnsObserver(runner: reader, lab: plan.lab, vmNames: plan.vmNames).observe()
        guard observation.exists else { throw .failed("lab \(plan.lab) does not exist on this host; create it first (vboxlab create \(plan.lab) --provider netns)") }
        let names = NetnsNames(lab: plan.lab)
        var lines: [String] = [], changes: [String] = []
        for nic in plan.nics {
            guard let seen = observation.state.nic(nic.ref) else {
                throw .failed("lab \(plan.lab) has no NIC for \(nic.vm) slot \(nic.slot); the spec changed since create: destroy and create it again")
            }
            let port = names.switchPort(nic.ref)
            if seen.registeredMac != nic.mac {
                if !seen.registeredMac.isZero { lines.append("fdb del \(seen.registeredMac) dev \(port) master static") }
                lines.append("fdb add \(nic.mac) dev \(port) master static")
                changes.append("\(nic.vm) slot \(nic.slot) \(nic.network): register \(nic.mac) (was \(seen.registeredMac))")
            }
            if seen.promisc.receivesAll != nic.promisc.receivesAll {
                lines.append("link set dev \(port) flood \(nic.promisc.receivesAll ? "on" : "off")")
                changes.append("\(nic.vm) slot \(nic.slot) \(nic.network): promiscuous policy \(nic.promisc.rawValue) (was \(seen.promisc.rawValue))")
            }
        }
        for c in changes { progress(c) }
        if !lines.isEmpty {
            try mutator.check(Command("bridge", ["-n", names.switchNamespace, "-batch", "-"], input: lines.joined(separator: "\n") + "\n"))
        }
        guard setup else { return changes }
        var hints: [String: [Int: String]] = [:]
        for vm in observation.state.vms { for nic in vm.nics { if let i = nic.interface { hints[vm.name, default: [:]][nic.slot] = i } } }
        return changes + (try setUpGuests(plan, interfaces: hints, quietWhenUnchanged: true))
    }

    /// Runs each VM's `GuestScript` in its namespace, several at a time.
    public func setUpGuests(_ plan: RegistrationPlan, interfaces: [String: [Int: String]], quietWhenUnchanged: Bool = false) throws(VBoxLabError) -> [String] {
        let names = NetnsNames(lab: plan.lab)
        let mutator = self.mutator
        let commands = plan.vmNames.map { vm in
            let known = interfaces[vm] ?? Dictionary(uniqueKeysWithValues: plan.nics(of: vm).map { ($0.slot, GuestInterfaceName.forSlot($0.slot)) })
            return Command("ip", ["netns", "exec", names.vmNamespace(vm), "sh", "-s"], input: GuestScript(plan: plan, vm: vm, interfaces: known).text)
        }
        let started = Date()
        let results = parallelMap(commands, width: 16) { c in Result { () throws(VBoxLabError) in try mutator.check(c) } }
        // Small labs get a line per change; large ones a line per guest would drown the terminal.
        let detailed = commands.count <= 12
        var changes: [String] = []
        for (vm, r) in zip(plan.vmNames, results) {
            let out = try r.get().stdout.split(separator: "\n").map(String.init)
            if out.last?.hasSuffix("nothing changed") == true { if !quietWhenUnchanged && detailed { progress(out.last!) }; continue }
            for line in out.dropLast() { if detailed { progress("\(vm): \(line)") }; changes.append("\(vm): \(line)") }
        }
        progress(String(format: "set up %d guests in %.2f s (%d changes)", commands.count, Date().timeIntervalSince(started), changes.count))
        return changes
    }

    /// Deletes the lab's namespaces (their veths go with them); returns how many there were.
    public func destroy(lab: String, vmNames: [String]) throws(VBoxLabError) -> Int {
        let names = NetnsNames(lab: lab)
        let existing = NetnsObserver.existingNamespaces()
        var ours = [names.switchNamespace] + vmNames.map(names.vmNamespace) + readManifest(lab)
        ours = ours.enumerated().filter { existing.contains($0.element) && !ours[..<$0.offset].contains($0.element) }.map(\.element)
        if ours.isEmpty { return 0 }
        try mutator.check(Command("ip", ["-force", "-batch", "-"], input: ours.map { "netns del \($0)" }.joined(separator: "\n") + "\n"))
        try? FileManager.default.removeItem(atPath: manifestPath(lab))
        return ours.count
    }

    private func manifestPath(_ lab: String) -> String { "\(manifestDirectory)/netns-\(lab).list" }
    private func writeManifest(_ lab: String, _ namespaces: [String]) {
        guard mutator is ProcessRunner else { return }
        try? FileManager.default.createDirectory(atPath: manifestDirectory, withIntermediateDirectories: true)
        try? (namespaces.joined(separator: "\n") + "\n").write(toFile: manifestPath(lab), atomically: true, encoding: .utf8)
    }
    private func readManifest(_ lab: String) -> [String] {
        ((try? String(contentsOfFile: manifestPath(lab), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The neighbour table is host-wide: a full mesh of n endpoints needs about n² entries,
    /// and the default gc_thresh3 of 1024 overflows near 32 (performance.md). Raise, and say so.
    func raiseNeighbourLimits(endpoints n: Int) {
        guard mutator is ProcessRunner else { return }
        let needed = max(1024, n * n * 2)
        let base = "/proc/sys/net/ipv4/neigh/default/"
        guard let current = (try? String(contentsOfFile: base + "gc_thresh3", encoding: .utf8)).flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
              current < needed else { return }
        for (file, value) in [("gc_thresh1", needed / 4), ("gc_thresh2", needed / 2), ("gc_thresh3", needed)] {
            try? "\(value)\n".write(toFile: base + file, atomically: false, encoding: .utf8)
        }
        progress("raised the host's neighbour table limits (net.ipv4.neigh.default.gc_thresh3 \(current) → \(needed)) for \(n) endpoints")
    }
}
