import Foundation
import VBoxLabHost
import VBoxLabModel

/// `tcpdump` on every port of a registering switch while the caller makes traffic, then
/// the last port where one frame was seen. Reading the switch side only, it judges the
/// switch and not the VMs, whatever plays them.
public struct PortCapture: Sendable {
    public let runner: CommandRunner
    public let names: SwitchNames
    /// Each port's NIC, by port name.
    let ports: [String: PlannedNIC]
    /// How long tcpdump listens; traffic made during it must be over by then.
    public var window = 2.0

    public init(runner: CommandRunner, names: SwitchNames, plan: RegistrationPlan) {
        self.runner = runner
        self.names = names
        ports = Dictionary(plan.nics.map { (names.port($0.ref), $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// tcpdump's lines for `during`, which runs once tcpdump has had time to start.
    public func record(during traffic: () -> Void) throws(VBoxLabError) -> String? {
        guard ProcessRunner.resolve("tcpdump") != nil else {
            throw .missing(what: "'tcpdump'", fix: ProcessRunner.installHint("tcpdump"))
        }
        let dump = Command(
            "ip",
            [
                "netns", "exec", names.namespace, "timeout", "-s", "KILL", String(window), "tcpdump", "-Z", "root",
                "-i", "any", "-nn", "-l", "arp or icmp",
            ])
        let captured = Locked<CommandResult?>(nil)
        let done = DispatchGroup()
        done.enter()
        let runner = self.runner
        Thread {
            captured.set(try? runner.run(dump))
            done.leave()
        }.start()
        Thread.sleep(forTimeInterval: 0.4)
        traffic()
        done.wait()
        return captured.get()?.stdout
    }

    /// Reads tcpdump's `-i any` lines (`TIME PORT DIR WHAT`) for the last crossing of the frame.
    public func verdict(for kind: FrameKind, of pair: PingPair, in output: String, model: LossPlace?) -> CaptureVerdict
    {
        let from = pair.from.address.ip
        let to = pair.to.address.ip
        let signature: String
        switch kind {
        case .arpRequest: signature = "ARP, Request who-has \(to) tell \(from),"
        case .arpReply: signature = "ARP, Reply \(to) is-at"
        case .echoRequest: signature = "IP \(from) > \(to): ICMP echo request"
        case .echoReply: signature = "IP \(to) > \(from): ICMP echo reply"
        }
        var last: (PlannedNIC, Bool)?
        for line in output.split(separator: "\n") where line.contains(signature) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 2, let nic = ports[String(fields[1])] else { continue }
            last = (nic, fields[2] == "Out")
        }
        let sender = kind == .arpRequest || kind == .echoRequest ? pair.from.vm : pair.to.vm
        guard let (nic, out) = last else {
            return CaptureVerdict(
                frame: kind, lastSeen: "the \(kind.rawValue) never reached a switch port", place: .vm(sender),
                model: model)
        }
        if out {
            return CaptureVerdict(
                frame: kind, lastSeen: "the \(kind.rawValue) last left \(nic.network) into \(nic.vm) slot \(nic.slot)",
                place: .vm(nic.vm), model: model)
        }
        return CaptureVerdict(
            frame: kind,
            lastSeen:
                "the \(kind.rawValue) last entered \(nic.network) from \(nic.vm) slot \(nic.slot) and left it nowhere",
            place: .network(nic.network), model: model)
    }
}
