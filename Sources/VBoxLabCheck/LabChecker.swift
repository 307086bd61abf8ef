import Foundation
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// `check` on any provider: ping every pair inside the guests, read the lab back,
/// diagnose the failures. It sees the provider only through `LabProvider`.
public struct LabChecker: Sendable {
    public let provider: LabProvider
    public let progress: ProgressHandler

    public init(provider: LabProvider, progress: @escaping ProgressHandler = { _ in }) {
        self.provider = provider
        self.progress = progress
    }

    /// Where a provider sees only its side of the NICs (VirtualBox: network, MAC, policy), the
    /// guests' side comes from the guests themselves, one `ip -j` each through the transport.
    /// A guest that cannot be read keeps what the provider saw.
    package static func withGuests(_ state: LabState, plan: RegistrationPlan, transports: [String: GuestTransport])
        -> LabState
    {
        readGuests(state, plan: plan, transports: transports).state
    }

    /// The same, and the guests that could not be read, each with why (ssh's words).
    /// Why a guest could not be read, in one short line: the way in as a person names it
    /// (`ssh root@127.0.0.1:2223`) and what it last said; the whole command line is for `-v`.
    package static func whyUnreachable(_ e: VBoxLabError, through t: GuestTransport) -> String {
        if case .system(.commandFailed(_, let status, let stderr)) = e {
            let said =
                stderr.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
                ?? "nothing on stderr"
            return "\(t.summary) failed (exit \(status)): \(said)"
        }
        return e.message.split(separator: "\n").prefix(2).joined(separator: " ")
    }

    static func readGuests(_ state: LabState, plan: RegistrationPlan, transports: [String: GuestTransport]) -> (
        state: LabState, unreachable: [String: String]
    ) {
        let blind = state.vms.indices.filter { i in
            state.vms[i].running && !state.vms[i].nics.isEmpty && state.vms[i].nics.allSatisfy { $0.interface == nil }
        }
        let seen = parallelMap(blind, width: Parallelism.guests) { i -> Result<GuestReader.Seen, VBoxLabError>? in
            guard let t = transports[state.vms[i].name] else { return nil }
            return Result { () throws(VBoxLabError) in
                try GuestReader.read(through: t, nics: plan.nics(of: state.vms[i].name))
            }
        }
        var out = state
        var unreachable: [String: String] = [:]
        for (i, r) in zip(blind, seen) {
            guard let r else { continue }
            let s: GuestReader.Seen
            switch r {
            case .success(let got): s = got
            case .failure(let e):
                unreachable[state.vms[i].name] = Self.whyUnreachable(e, through: transports[state.vms[i].name]!)
                continue
            }
            for j in out.vms[i].nics.indices {
                guard let g = s.nics[out.vms[i].nics[j].slot] else { continue }
                out.vms[i].nics[j].interface = g.interface
                out.vms[i].nics[j].guestMac = g.mac
                out.vms[i].nics[j].linkUp = out.vms[i].nics[j].linkUp && g.up
                out.vms[i].nics[j].addresses = g.addresses
                out.vms[i].nics[j].bridge = g.bridge
            }
            out.vms[i].bridges = s.bridges
        }
        return (out, unreachable)
    }

    /// Why a plan has no pair to ping, or nil when it has some.
    public static func emptyReason(_ plan: RegistrationPlan) -> String? {
        let addresses = plan.addresses
        guard plan.pingPairs.isEmpty else { return nil }
        switch addresses.count {
        case 0: return "the lab has no addresses (give a NIC or a bridge an ip)"
        case 1:
            return
                "the lab has one address (\(addresses[0].address) on \(addresses[0].vm)), so there is nothing to "
                + "ping it from"
        default: return "no two of its \(addresses.count) addresses share a subnet, so no pair can ping"
        }
    }

    /// Pings `pairs` (every pair of the plan when nil); reads the lab back and diagnoses only
    /// when a pair failed or `trace` asks for the model's view (a passing lab needs no explanation).
    public func check(
        _ plan: RegistrationPlan, spec: LabSpec, record: LabRecord?, pairs chosen: [PingPair]? = nil,
        trace: Bool = false, capture: Int = 0
    ) throws(VBoxLabError) -> (CheckReport, Diagnoser?) {
        if chosen == nil, let reason = Self.emptyReason(plan) {
            return (CheckReport(lab: plan.lab, provider: provider.name, results: [], emptyReason: reason), nil)
        }
        let pairs = chosen ?? plan.pingPairs
        let transports = try provider.transports(spec: spec, record: record)
        defer { closeAll(transports) }
        progress("pinging \(pairs.count) pair\(pairs.count == 1 ? "" : "s")")
        var started = Date()
        let pinged = Pinger(transports: transports).ping(pairs)
        progress(
            String(
                format: "pinged %d pair%@ in %.2f s", pairs.count, pairs.count == 1 ? "" : "s",
                Date().timeIntervalSince(started)))
        let stale = PersistedSetupCheck.stale(plan, persisted: record?.persisted ?? [], transports: transports)
        guard trace || pinged.contains(false) else {
            var report = CheckReport(
                lab: plan.lab, provider: provider.name,
                results: pairs.map { PairResult(pair: $0, ok: true, diagnosis: nil) })
            report.persistStale = stale
            return (report, nil)
        }
        started = Date()
        var observation = try provider.observe(lab: plan.lab, vms: plan.vmNames, record: record)
        let read = Self.readGuests(observation.state, plan: plan, transports: transports)
        observation.state = read.state
        progress(String(format: "read the lab back in %.2f s", Date().timeIntervalSince(started)))
        let diagnoser = Diagnoser(observed: observation.state, plan: plan)
        var results = zip(pairs, pinged).map { pair, ok in
            PairResult(pair: pair, ok: ok, diagnosis: ok ? nil : diagnoser.diagnose(pair, pinged: false))
        }
        Self.explainWithoutTheModel(
            &results, pairs: pairs, unreachable: booting(read.unreachable, record: record),
            missingSwitch: observation.missingSwitch,
            drift: RegistrationDrift.nics(observation.state, plan: plan))
        askAgain(&results, pairs: pairs, transports: transports)
        if capture > 0, results.contains(where: { !$0.ok }) {
            if let capturer = provider.switchCapture(plan, transports: transports) {
                try captureFailures(&results, upTo: capture, with: capturer)
            } else {
                progress("--capture: provider \(provider.name) has no switch vboxlab can listen on; checked without it")
            }
        }
        var report = CheckReport(lab: plan.lab, provider: provider.name, results: results)
        report.persistStale = stale
        return (report, diagnoser)
    }

    /// An unreachable guest whose VM started lately is said to be booting, where the provider
    /// knows when each VM started: the answer to wait for, not a fault to mend.
    private func booting(_ unreachable: [String: String], record: LabRecord?) -> [String: String] {
        guard let record, let watching = provider as? BootWatching, !unreachable.isEmpty else { return unreachable }
        let uptimes = watching.uptimes(record)
        var out = unreachable
        for (vm, why) in unreachable {
            if let up = uptimes[vm], up < GuestWait.boot {
                out[vm] = "it is still booting (its VM started \(Int(up)) s ago): \(why)"
            }
        }
        return out
    }

    /// A failure the model cannot explain may be a slow first answer (a loaded host, a long
    /// chain of fresh bridges): those pairs are asked once more, patiently, before they are
    /// reported `unknown`. Failures the model explains are not retried.
    private func askAgain(_ results: inout [PairResult], pairs: [PingPair], transports: [String: GuestTransport]) {
        let puzzling = results.indices.filter { !results[$0].ok && results[$0].diagnosis?.cause == .unknown }
        guard !puzzling.isEmpty else { return }
        progress("asking \(puzzling.count) unexplained pair\(puzzling.count == 1 ? "" : "s") again with a longer wait")
        var patient = Pinger(transports: transports)
        patient.timeoutMs = 1000
        patient.retries = 2
        for (i, ok) in zip(puzzling, patient.ping(puzzling.map { pairs[$0] })) where ok {
            results[i] = PairResult(pair: pairs[i], ok: true, diagnosis: nil)
        }
    }

    /// Captures on the switch ports for up to `limit` failed pairs: one pair of each cause
    /// first, then more; each costs a capture window.
    private func captureFailures(_ results: inout [PairResult], upTo limit: Int, with capturer: SwitchCapture)
        throws(VBoxLabError)
    {
        let failed = results.indices.filter {
            !results[$0].ok && results[$0].diagnosis != nil && results[$0].diagnosis!.cause != .noPath
        }
        var chosen: [Int] = []
        var causes = Set<String>()
        for i in failed where causes.insert(results[i].diagnosis!.cause.rawValue).inserted { chosen.append(i) }
        for i in failed where !chosen.contains(i) { chosen.append(i) }
        for i in chosen.prefix(limit) {
            progress("capturing \(results[i].pair.from.vm) → \(results[i].pair.to.vm) on the switch ports")
            let d = results[i].diagnosis!
            // The frame the model loses; a failure it places without a trace loses the first ARP request.
            guard let lost = d.trace?.lost?.frame.kind ?? (d.place != nil ? .arpRequest : nil) else { continue }
            results[i].capture = try capturer.capture(results[i].pair, lost: lost, model: d.place)
        }
    }

    /// The VMs whose guest state a failing pair's diagnosis rests on: its two ends, then the
    /// VM the model lost the frame in and the bridges it crossed. A bridge VM that could not be
    /// read (rebooting, say) looks to the model like a guest without its NICs, so the pair is
    /// that VM's `unreachable`, never its `guest-not-set-up`.
    static func vmsUnder(_ result: PairResult, pair: PingPair) -> [String] {
        var vms = [pair.from.vm, pair.to.vm]
        if case .vm(let vm)? = result.diagnosis?.place { vms.append(vm) }
        for hop in result.diagnosis?.trace?.lost?.hops ?? [] {
            switch hop {
            case .bridged(let bridge, let from, let out): vms += [bridge.vm, from.vm] + out.map(\.vm)
            case .dropped(let drop, _): vms += guestVM(of: drop).map { [$0] } ?? []
            default: break
            }
        }
        return vms
    }

    /// The VM whose guest side a drop was judged on; nil for the switch's own rules.
    private static func guestVM(of drop: Drop) -> String? {
        switch drop {
        case .linkDown(let nic), .guestFilter(let nic), .notPromiscuousInGuest(let nic, _): return nic.vm
        case .bridgeLocal(let bridge, _), .notForBridge(let bridge), .bridgeDown(let bridge): return bridge.vm
        case .unregistered, .vmDown: return nil
        }
    }

    /// Failures the frame model has nothing to say about: a guest that could not be read is
    /// named as such, never guessed about; without the switch no frame leaves any VM.
    static func explainWithoutTheModel(
        _ results: inout [PairResult], pairs: [PingPair], unreachable: [String: String], missingSwitch: String?,
        drift: [String] = []
    ) {
        for i in results.indices where !results[i].ok {
            guard let vm = vmsUnder(results[i], pair: pairs[i]).first(where: { unreachable[$0] != nil }) else {
                continue
            }
            var d = Diagnosis(
                cause: .unreachable,
                reason: "vboxlab could not reach \(vm): \(unreachable[vm]!)\(RegistrationDrift.clause(drift))",
                trace: nil)
            d.unreachableVM = vm
            results[i].diagnosis = d
        }
        if let gone = missingSwitch {
            // Nothing carries a frame between VMs: the model of a lab without networks says nothing useful.
            for i in results.indices where !results[i].ok && results[i].diagnosis?.cause != .noPath {
                results[i].diagnosis = Diagnosis(
                    cause: .vmDown,
                    reason:
                        "the lab's switch (\(gone), which plays every internal network) is missing, so no frame "
                        + "leaves \(pairs[i].from.vm)",
                    trace: nil)
            }
        }
    }
}
