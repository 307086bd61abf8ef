/// `check` on the netns provider: read the lab, ping every pair, diagnose the failures.
public struct LabChecker: Sendable {
    public let runner: CommandRunner
    public let progress: ProgressHandler

    public init(runner: CommandRunner, progress: @escaping ProgressHandler = { _ in }) { self.runner = runner; self.progress = progress }

    public func check(_ plan: RegistrationPlan) throws(VBoxLabError) -> (CheckReport, Diagnoser) {
        let pairs = plan.pingPairs
        progress("pinging \(pairs.count) pairs")
        let pinged = NetnsPinger(runner: runner, lab: plan.lab).ping(pairs)
        let observed = try NetnsObserver(runner: runner, lab: plan.lab, vmNames: plan.vmNames).observe().state
        let diagnoser = Diagnoser(observed: observed, plan: plan)
        let results = zip(pairs, pinged).map { pair, ok in
            PairResult(pair: pair, ok: ok, diagnosis: ok ? nil : diagnoser.diagnose(pair, pinged: false))
        }
        return (CheckReport(lab: plan.lab, provider: "netns", results: results), diagnoser)
    }
}
