import Foundation
import VBoxLabHost
import VBoxLabModel

/// `check --capture` on QEMU: the lab's switch listens on every port (each a VM's tap) while
/// the failing pair pings again from inside its guest, through the guest's transport.
struct QemuCapture: SwitchCapture {
    let plan: RegistrationPlan
    let transports: [String: GuestTransport]
    let ports: PortCapture

    init(runner: CommandRunner, plan: RegistrationPlan, transports: [String: GuestTransport]) {
        self.plan = plan
        self.transports = transports
        var ports = RegisteringSwitch(lab: plan.lab).capture(plan, runner: runner)
        // ssh into a guest under emulation takes a while before the ping's own second.
        ports.window = 5
        self.ports = ports
    }

    func capture(_ pair: PingPair, lost: FrameKind, model: LossPlace?) throws(VBoxLabError) -> CaptureVerdict? {
        guard let sender = transports[pair.from.vm] else { return nil }
        // Quiet the lab first: flushed neighbour tables end the retries of earlier pings.
        let transports = self.transports
        _ = parallelMap(plan.vmNames, width: Parallelism.guests) { vm in
            try? transports[vm]?.run(["ip", "neigh", "flush", "all"], input: nil)
        }
        let ping = ["ping", "-c", "1", "-W", "1", "-I", pair.from.address.ip, pair.to.address.ip]
        guard let out = try ports.record(during: { _ = try? sender.run(ping, input: nil) }) else { return nil }
        return ports.verdict(for: lost, of: pair, in: out, model: model)
    }
}
