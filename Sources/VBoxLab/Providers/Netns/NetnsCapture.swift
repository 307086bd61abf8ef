import Foundation

/// `check --capture` on netns: `tcpdump` on every port of the switch namespace while one
/// failing pair pings again, then the last port where the model's lost frame was seen.
public struct NetnsCapture: SwitchCapture {
    public let runner: CommandRunner
    public let plan: RegistrationPlan
    let names: NetnsNames
    /// How long tcpdump listens; the ping inside waits at most 1 s.
    public var window = 2.0

    public init(runner: CommandRunner, plan: RegistrationPlan) {
        self.runner = runner; self.plan = plan; names = NetnsNames(lab: plan.lab)
    }

    public func capture(_ pair: PingPair, lost: FrameKind, model: LossPlace?) throws(VBoxLabError) -> CaptureVerdict? {
        guard ProcessRunner.resolve("tcpdump") != nil else { throw .missing(what: "'tcpdump'", fix: ProcessRunner.installHint("tcpdump")) }
        // Quiet the lab first: flushed neighbour tables end the retries of earlier pings.
        let runner = self.runner
        _ = parallelMap(plan.vmNames.map(names.vmNamespace), width: 16) { ns in try? runner.run(Command("ip", ["-n", ns, "neigh", "flush", "all"])) }
        let dump = Command("ip", ["netns", "exec", names.switchNamespace, "timeout", "-s", "KILL", String(window), "tcpdump", "-Z", "root", "-i", "any", "-nn", "-l", "arp or icmp"])
        let captured = Locked<CommandResult?>(nil)
        let done = DispatchGroup()
        done.enter()
        Thread { captured.set(try? runner.run(dump)); done.leave() }.start()
        Thread.sleep(forTimeInterval: 0.4)
        _ = try? runner.run(Command("ip", ["netns", "exec", names.vmNamespace(pair.from.vm), "ping", "-c", "1", "-W", "1", "-I", pair.from.address.ip, pair.to.address.ip]))
        done.wait()
        guard let out = captured.get()?.stdout else { return nil }
        return verdict(for: lost, of: pair, in: out, model: model)
    }

    /// Reads tcpdump's `-i any` lines (`TIME PORT DIR WHAT`) for the last crossing of the frame.
    func verdict(for kind: FrameKind, of pair: PingPair, in output: String, model: LossPlace?) -> CaptureVerdict {
        let from = pair.from.address.ip, to = pair.to.address.ip
        let signature: String
        switch kind {
        case .arpRequest: signature = "ARP, Request who-has \(to) tell \(from),"
        case .arpReply: signature = "ARP, Reply \(to) is-at"
        case .echoRequest: signature = "IP \(from) > \(to): ICMP echo request"
        case .echoReply: signature = "IP \(to) > \(from): ICMP echo reply"
        }
        var ports: [String: PlannedNIC] = [:]
        for nic in plan.nics { ports[names.switchPort(nic.ref)] = nic }
        var last: (PlannedNIC, Bool)?
        for line in output.split(separator: "\n") where line.contains(signature) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 2, let nic = ports[String(fields[1])] else { continue }
            last = (nic, fields[2] == "Out")
        }
        let sender = kind == .arpRequest || kind == .echoRequest ? pair.from.vm : pair.to.vm
        guard let (nic, out) = last else {
            return CaptureVerdict(frame: kind, lastSeen: "the \(kind.rawValue) never reached a switch port", place: .vm(sender), model: model)
        }
        if out {
            return CaptureVerdict(frame: kind, lastSeen: "the \(kind.rawValue) last left \(nic.network) into \(nic.vm) slot \(nic.slot)", place: .vm(nic.vm), model: model)
        }
        return CaptureVerdict(frame: kind, lastSeen: "the \(kind.rawValue) last entered \(nic.network) from \(nic.vm) slot \(nic.slot) and left it nowhere", place: .network(nic.network), model: model)
    }
}
