import Foundation

/// `check` on the netns provider: read the lab, ping every pair, diagnose the failures.
public struct LabChecker: Sendable {
    public let runner: CommandRunner
    public let progress: ProgressHandler

    public init(runner: CommandRunner, progress: @escaping ProgressHandler = { _ in }) { self.runner = runner; self.progress = progress }

    /// Pings every pair; reads the lab back and diagnoses only when a pair failed or
    /// `trace` asks for the model's view (a passing lab needs no explanation).
    public func check(_ plan: RegistrationPlan, trace: Bool = false, capture: Int = 0) throws(VBoxLabError) -> (CheckReport, Diagnoser?) {
        let pairs = plan.pingPairs
        progress("pinging \(pairs.count) pairs")
        var started = Date()
        let pinged = NetnsPinger(runner: runner, lab: plan.lab).ping(pairs)
        progress(String(format: "pinged %d pairs in %.2f s", pairs.count, Date().timeIntervalSince(started)))
        guard trace || pinged.contains(false) else {
            return (CheckReport(lab: plan.lab, provider: "netns", results: pairs.map { PairResult(pair: $0, ok: true, diagnosis: nil) }), nil)
        }
        started = Date()
        let observed = try NetnsObserver(runner: runner, lab: plan.lab, vmNames: plan.vmNames).observe().state
        progress(String(format: "read the lab back in %.2f s", Date().timeIntervalSince(started)))
        let diagnoser = Diagnoser(observed: observed, plan: plan)
        var results = zip(pairs, pinged).map { pair, ok in
            PairResult(pair: pair, ok: ok, diagnosis: ok ? nil : diagnoser.diagnose(pair, pinged: false))
        }
        // A failure the model cannot explain may be a slow first answer (a loaded host, a
        // long chain of fresh bridges): ask those pairs once more, patiently, before
        // reporting `unknown`. Failures the model explains are not retried.
        let puzzling = results.indices.filter { !results[$0].ok && results[$0].diagnosis?.cause == .unknown }
        if !puzzling.isEmpty {
            progress("asking \(puzzling.count) unexplained pairs again with a longer wait")
            var patient = NetnsPinger(runner: runner, lab: plan.lab)
            patient.timeoutMs = 1000
            patient.retries = 2
            for (i, ok) in zip(puzzling, patient.ping(puzzling.map { pairs[$0] })) where ok {
                results[i] = PairResult(pair: pairs[i], ok: true, diagnosis: nil)
            }
        }
        if capture > 0 {
            // One pair of each cause first, then more, up to `capture`: each costs a capture window.
            let failed = results.indices.filter { !results[$0].ok && results[$0].diagnosis != nil }
            var chosen: [Int] = [], causes = Set<String>()
            for i in failed where causes.insert(results[i].diagnosis!.cause.rawValue).inserted { chosen.append(i) }
            for i in failed where !chosen.contains(i) { chosen.append(i) }
            let capturer = NetnsCapture(runner: runner, plan: plan)
            for i in chosen.prefix(capture) {
                progress("capturing \(results[i].pair.from.vm) → \(results[i].pair.to.vm) on the switch ports")
                results[i].capture = try capturer.capture(results[i].pair, diagnosis: results[i].diagnosis!)
            }
        }
        return (CheckReport(lab: plan.lab, provider: "netns", results: results), diagnoser)
    }
}
