import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// `check`'s report for people, from the pure frame model: the lab as the plan of one
/// strategy builds it, diagnosed against the lab's own plan, exactly as `check` does after
/// reading a lab back. Golden files hold the text and the JSON; the assertions say what the
/// text must teach: one sentence on why per kind, the NIC that should carry the MAC, and
/// failing pairs grouped by network and bridge port.
@Suite struct CheckReportTests {
    static func fixture(_ name: String) throws -> LabSpec {
        try LabLoader.load("\(packageRoot)/Tests/VBoxLabTests/Fixtures/labs/\(name).json5")
    }

    /// `observed` from the plan of `built`, every pair pinged as the model says it goes.
    static func report(_ spec: LabSpec, built: Strategy?, edit: (inout LabState) -> Void = { _ in }) throws
        -> CheckReport
    {
        let plan = try Solver.plan(spec, strategy: nil)
        var observed = LabState(plan: try Solver.plan(spec, strategy: built))
        edit(&observed)
        let diagnoser = Diagnoser(observed: observed, plan: plan)
        let results = plan.pingPairs.map { pair in
            let ok = diagnoser.trace(pair)?.lost == nil
            return PairResult(pair: pair, ok: ok, diagnosis: ok ? nil : diagnoser.diagnose(pair, pinged: false))
        }
        return CheckReport(lab: plan.lab, provider: "model", results: results)
    }

    static func text(_ report: CheckReport) -> String {
        report.text(fixes: FixCommands(lab: report.lab, provider: nil)) + "\n"
    }

    /// The golden files these tests compare (GoldenTests checks none lies there unchecked).
    static let goldens = [
        "check/bridge-lab-strategy-none.txt", "check/bridge-lab-strategy-none.json",
        "check/seven-lab-strategy-none.txt", "check/seven-lab-guest-mac-clash.txt",
    ]

    static let lesson = "VirtualBox's internal network is a registering switch, not a learning one"

    @Test func seedWithStrategyNone() throws {
        let spec = try loadBundled("bridge-lab")
        let report = try Self.report(spec, built: Strategy.none)
        let text = Self.text(report)
        expectGolden(text, "check/bridge-lab-strategy-none.txt")
        expectGolden(report.json.rendered() + "\n", "check/bridge-lab-strategy-none.json")
        #expect(text.components(separatedBy: Self.lesson).count == 2, "the lesson once: \(text)")
        // The NIC that should carry centos-1's MAC: centos-2's port of br0 on intnet-2.
        let plan = try Solver.plan(spec, strategy: nil)
        let centos1 = try #require(plan.nics.first { $0.vm == "centos-1" }).guestMac
        let port = try #require(plan.nics.first { $0.vm == "centos-2" && $0.network == "intnet-2" })
        #expect(
            text.contains(
                "register \(centos1) (centos-1) on centos-2 slot \(port.slot), the port of br0 on intnet-2, or make "
                    + "that port promiscuous"
            ), "\(text)")
    }

    /// 18 failing pairs at five ports: five paragraphs, each with its count, one lesson.
    @Test func sevenVMsEveryPortWrong() throws {
        let report = try Self.report(try Self.fixture("seven-lab"), built: Strategy.none)
        let text = Self.text(report)
        expectGolden(text, "check/seven-lab-strategy-none.txt")
        #expect(report.total == 20 && report.reached == 2)
        #expect(text.contains("\nunregistered-mac: 18 pairs\n"))
        let paragraphs = text.split(separator: "\n").filter {
            $0.hasPrefix("  ") && !$0.hasPrefix("   ") && $0.contains(" → ")
        }
        #expect(paragraphs.count == 5, "one paragraph per port: \(text)")
        #expect(text.components(separatedBy: Self.lesson).count == 2)
        #expect(text.contains("6 pairs lose their frame at sw2 slot 4, the port of br0 on net-4: also "), "\(text)")
        #expect(
            text.contains("make sw2 slot 4, the port of br0 on net-4, promiscuous: 3 hosts lie behind it (h1, h2, h3)"),
            "\(text)")
        // Every pair is still in the JSON, with the keys programs read.
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(report.json.rendered().utf8)) as? [String: Any])
        let pairs = try #require(json["pairs"] as? [[String: Any]])
        #expect(pairs.count == 20 && pairs.filter { $0["cause"] as? String == "unregistered-mac" }.count == 18)
        for key in ["from", "to", "fromIp", "toIp", "ok", "cause", "reason", "lost", "capture"] {
            #expect(pairs[0].keys.contains(key), "\(key)")
        }
    }

    /// Registrations done, guests not set up: every port still carries its own MAC, which
    /// mac-swap registered for the host behind it. Its own lesson, grouped the same way.
    @Test func sevenVMsPortsKeepTheirMACsInTheGuest() throws {
        let spec = try Self.fixture("seven-lab")
        let plan = try Solver.plan(spec, strategy: nil)
        let report = try Self.report(spec, built: nil) { state in
            for v in state.vms.indices {
                for n in state.vms[v].nics.indices where state.vms[v].nics[n].bridge != nil {
                    state.vms[v].nics[n].guestMac =
                        plan.nic(NICRef(vm: state.vms[v].name, slot: state.vms[v].nics[n].slot))?.mac
                }
            }
        }
        let text = Self.text(report)
        expectGolden(text, "check/seven-lab-guest-mac-clash.txt")
        #expect(text.contains("\nguest-mac-clash: "), "\(text)")
        #expect(
            text.components(separatedBy: "a Linux bridge treats the MACs of its own ports as its own").count == 2,
            "\(text)")
    }
}

/// A guest's answer that is no list of links (a guest going down, an answer cut off) is a guest
/// that could not be read, never a guest without its NICs.
@Test func anAnswerWithoutLoopbackIsUnreadable() throws {
    let plan = try Solver.plan(try loadBundled("bridge-lab"), strategy: nil)
    for answer in ["", "[]", "[{\"ifname\":\"enp0s8\"}", "Connection closed\n"] {
        let guest = NetnsExecTransport(
            vm: "centos-1", namespace: "n", runner: RecordingRunner { _ in CommandResult(status: 0, stdout: answer) })
        #expect(throws: VBoxLabError.self, "\(answer)") {
            _ = try GuestReader.read(through: guest, nics: plan.nics(of: "centos-1"))
        }
    }
    let lo = #"[{"ifname":"lo","address":"00:00:00:00:00:00","flags":["UP"]}]"#
    let guest = NetnsExecTransport(
        vm: "centos-1", namespace: "n", runner: RecordingRunner { _ in CommandResult(status: 0, stdout: lo) })
    #expect(try GuestReader.read(through: guest, nics: plan.nics(of: "centos-1")).nics.isEmpty)
}

/// A guest that shows none of a NIC's MACs while systemd says it is starting or stopping is a
/// guest between states (unreadable), not one without its setup; a running one is read as it is.
@Test func aGuestBetweenStatesIsUnreadable() throws {
    let plan = try Solver.plan(try loadBundled("bridge-lab"), strategy: nil)
    let lo = #"[{"ifname":"lo","address":"00:00:00:00:00:00","flags":["UP"]}]"#
    func guest(_ state: String) -> NetnsExecTransport {
        NetnsExecTransport(
            vm: "centos-2", namespace: "n",
            runner: RecordingRunner { c in
                CommandResult(status: 0, stdout: c.arguments.contains("systemctl") ? "\(state)\n" : lo)
            })
    }
    for state in ["starting", "stopping"] {
        #expect(throws: VBoxLabError.self, "\(state)") {
            _ = try GuestReader.read(through: guest(state), nics: plan.nics(of: "centos-2"))
        }
    }
    #expect(try GuestReader.read(through: guest("running"), nics: plan.nics(of: "centos-2")).nics.isEmpty)

    // The state asked of a guest going down can time out: no word at all is no answer, and
    // the reason is the timeout's, never "set up" (issue 27, the reboot window under emulation).
    let cutOff = NetnsExecTransport(
        vm: "centos-2", namespace: "n",
        runner: RecordingRunner { c in
            c.arguments.contains("systemctl")
                ? CommandResult(status: 124, stdout: "", stderr: "vboxlab: stopped after 10 s (timeout)\n")
                : CommandResult(status: 0, stdout: lo)
        })
    do {
        _ = try GuestReader.read(through: cutOff, nics: plan.nics(of: "centos-2"))
        Issue.record("a guest that stopped answering was read as one without its NICs")
    } catch {
        #expect(
            error.message.contains(
                "the guest stopped answering while it was read: vboxlab: stopped after 10 s (timeout)"),
            "\(error.message)")
    }
}

/// A guest that answers without a NIC and then stops answering is going down: unreadable.
@Test func aGuestThatStopsAnsweringIsUnreadable() throws {
    struct GoingDown: GuestTransport {
        let vm = "centos-2"
        let summary = "ssh root@127.0.0.1:2222"
        func command(_ argv: [String], input: String?) -> Command { Command("ssh", argv) }
        func run(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult {
            guard argv.first == "ip" else {
                throw .commandFailed(command: "ssh", status: 255, stderr: "Connection closed by remote host")
            }
            return CommandResult(status: 0, stdout: #"[{"ifname":"lo","address":"00:00:00:00:00:00"}]"#)
        }
        func hasProgram(_ program: String) -> Bool { true }
        func interactive(line: String?) throws(VBoxLabError) -> Command { Command("ssh", []) }
    }
    let plan = try Solver.plan(try loadBundled("bridge-lab"), strategy: nil)
    #expect(throws: VBoxLabError.self) {
        _ = try GuestReader.read(through: GoingDown(), nics: plan.nics(of: "centos-2"))
    }
}

/// A bridge VM that could not be read (rebooting) is unknown, not bare: the pair across it is
/// that VM's `unreachable`, not `guest-not-set-up` in it (issue 27, the reboot window).
@Test func anUnreadBridgeVMMakesThePairAcrossItUnreachable() throws {
    let plan = try Solver.plan(try loadBundled("bridge-lab"), strategy: nil)
    var observed = LabState(plan: plan)
    let middle = try #require(observed.vms.firstIndex { $0.name == "centos-2" })
    for j in observed.vms[middle].nics.indices {
        observed.vms[middle].nics[j].interface = nil
        observed.vms[middle].nics[j].guestMac = nil
        observed.vms[middle].nics[j].addresses = []
        observed.vms[middle].nics[j].bridge = nil
    }
    observed.vms[middle].bridges = []
    let diagnoser = Diagnoser(observed: observed, plan: plan)
    var results = plan.pingPairs.map {
        PairResult(pair: $0, ok: false, diagnosis: diagnoser.diagnose($0, pinged: false))
    }
    #expect(results.allSatisfy { $0.diagnosis?.cause == .guestNotSetUp }, "the model alone blames centos-2's setup")

    let why = "ssh exited 255: Connection timed out during banner exchange"
    LabChecker.explainWithoutTheModel(
        &results, pairs: plan.pingPairs, unreachable: ["centos-2": why], missingSwitch: nil)
    for result in results {
        #expect(result.diagnosis?.cause == .unreachable)
        #expect(result.diagnosis?.unreachableVM == "centos-2")
        #expect(result.diagnosis?.reason == "vboxlab could not reach centos-2: \(why)")
    }
}
