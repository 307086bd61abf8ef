import Foundation
import VBoxLabHost
import VBoxLabModel

/// `check --capture` on netns: the switch listens on every port while one failing pair
/// pings again from its namespace, then says where the model's lost frame was last seen.
public struct NetnsCapture: SwitchCapture {
    public let runner: CommandRunner
    public let plan: RegistrationPlan
    let names: NetnsNames
    let ports: PortCapture

    public init(runner: CommandRunner, plan: RegistrationPlan) {
        self.runner = runner
        self.plan = plan
        names = NetnsNames(lab: plan.lab)
        ports = RegisteringSwitch(lab: plan.lab).capture(plan, runner: runner)
    }

    public func capture(_ pair: PingPair, lost: FrameKind, model: LossPlace?) throws(VBoxLabError) -> CaptureVerdict? {
        // Quiet the lab first: flushed neighbour tables end the retries of earlier pings.
        let runner = self.runner
        _ = parallelMap(plan.vmNames.map(names.vmNamespace), width: Parallelism.reads) { ns in
            try? runner.run(Command("ip", ["-n", ns, "neigh", "flush", "all"]))
        }
        // The ping waits at most 1 s, inside the capture's window.
        let ping = Command(
            "ip",
            [
                "netns", "exec", names.vmNamespace(pair.from.vm), "ping", "-c", "1", "-W", "1", "-I",
                pair.from.address.ip, pair.to.address.ip,
            ])
        guard let out = try ports.record(during: { _ = try? runner.run(ping) }) else { return nil }
        return ports.verdict(for: lost, of: pair, in: out, model: model)
    }
}
