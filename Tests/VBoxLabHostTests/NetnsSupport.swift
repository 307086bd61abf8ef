import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Whether namespace tests can run here: root, `ip`, and a namespace that can be made.
enum NetnsGate {
    static let reason: String? = {
        if geteuid() != 0 { return "not root" }
        guard ProcessRunner.resolve("ip") != nil, ProcessRunner.resolve("bridge") != nil else {
            return "no ip/bridge (apt-get install iproute2)"
        }
        guard ProcessRunner.resolve("ping") != nil else { return "no ping (apt-get install iputils-ping)" }
        let probe = "vbl-probe-\(getpid())"
        let r = try? ProcessRunner().run(Command("ip", ["netns", "add", probe]))
        _ = try? ProcessRunner().run(Command("ip", ["netns", "del", probe]))
        return r?.status == 0 ? nil : "cannot create network namespaces: \(r?.stderr ?? "ip failed")"
    }()
    static var available: Bool {
        if let reason { print("skipping namespace tests: \(reason)") }
        return reason == nil
    }
    static var required: Bool { ProcessInfo.processInfo.environment["VBOXLAB_REQUIRE_NETNS"] == "1" }
}

/// A lab of the test's own in namespaces, removed afterwards even when the test fails.
/// Its record lives in a directory of the test's own, never the user's state.
struct NetnsLab {
    let spec: LabSpec
    let runner: CommandRunner
    let store: LabStore

    init(_ spec: LabSpec, runner: CommandRunner = ProcessRunner()) {
        self.spec = spec
        self.runner = runner
        store = LabStore(directory: testStateDirectory + "/labs")
        destroy()
    }

    var provider: LabDriver { LabDriver(lab: self) }
    var netns: NetnsProvider { NetnsProvider(context: ProviderContext(reader: runner, store: store)) }
    var record: LabRecord? { (try? store.record(spec.name)) ?? nil }
    func plan(_ strategy: Strategy? = nil) throws -> RegistrationPlan { try Solver.plan(spec, strategy: strategy) }
    var names: NetnsNames { NetnsNames(lab: spec.name) }

    /// Everything named for this lab goes, record or not: test labs carry names of their own.
    func destroy() {
        // Namespaces and the files that keep their VMs' host names, as a CLI test's cleanup.
        CLIPlace.removeNamespaces(of: spec.name)
        store.remove(spec.name)
    }

    /// Runs `ping` itself inside the source VM's namespace: the kernel's verdict, not vboxlab's.
    /// The source's neighbour table is flushed first, so every ping starts with a fresh ARP.
    func ping(from vm: String, _ source: String, to target: String) -> Bool {
        _ = try? ProcessRunner().run(Command("ip", ["-n", names.vmNamespace(vm), "neigh", "flush", "all"]))
        let c = Command(
            "ip", ["netns", "exec", names.vmNamespace(vm), "ping", "-c", "1", "-W", "2", "-I", source, target])
        return (try? ProcessRunner().run(c))?.status == 0
    }

    func check(_ strategy: Strategy? = nil) throws -> CheckReport {
        try LabChecker(provider: netns).check(try plan(strategy), spec: spec, record: record).0
    }

    func observe() throws -> LabObservation {
        try netns.observe(lab: spec.name, vms: try plan().vmNames, record: record)
    }

    /// `check --capture` for one failing pair: what tcpdump saw on the switch ports.
    func capture(_ result: PairResult, _ strategy: Strategy? = nil) throws -> CaptureVerdict? {
        guard let d = result.diagnosis, let lost = d.trace?.lost?.frame.kind ?? (d.place != nil ? .arpRequest : nil)
        else { return nil }
        return try NetnsCapture(runner: ProcessRunner(), plan: try plan(strategy)).capture(
            result.pair, lost: lost, model: d.place)
    }

    /// Runs `ip ARGS` inside a VM namespace, as a person would by hand.
    func inVM(_ vm: String, _ args: [String]) throws {
        try ProcessRunner().check(Command("ip", ["-n", names.vmNamespace(vm)] + args))
    }

    /// Namespaces of this lab that the kernel still has.
    var leftovers: [String] { HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-\(spec.name)-") }.sorted() }
}

/// The lab's lifecycle as the CLI drives it, with the record kept in the test's store and
/// programs run through the lab's runner.
struct LabDriver {
    let lab: NetnsLab
    var environment: LabEnvironment {
        LabEnvironment(
            paths: StatePaths(state: testStateDirectory, runtime: testStateDirectory + "/run"), runner: lab.runner,
            variables: [:])
    }
    func lifecycle() throws -> LabLifecycle {
        let found = FoundLab(
            name: lab.spec.name, spec: lab.spec, specPath: lab.spec.file, record: lab.record, word: lab.spec.name)
        return try LabLifecycle(found, environment: environment, providerFlag: "netns")
    }

    func create(_ plan: RegistrationPlan, setup: Bool) throws -> ApplyReport {
        try lifecycle().apply(plan, mode: .create(setup: setup), checkAfter: false)
    }
    func converge(_ plan: RegistrationPlan) throws -> [String] {
        try lifecycle().apply(plan, mode: .fix(restart: false, setup: true), checkAfter: false).changes
    }
    func destroy() throws -> [String] { try lifecycle().destroy().removed }
}

/// Runs real commands, but answers `fail` with a failure instead of running it: a refused
/// call at an exact point, to prove what an undo leaves.
struct FaultyRunner: CommandRunner {
    let fail: @Sendable (Command) -> Bool
    func run(_ command: Command) throws(VBoxLabError) -> CommandResult {
        if fail(command) { return CommandResult(status: 2, stderr: "injected failure") }
        return try ProcessRunner().run(command)
    }
}

/// Specs for namespace tests carry names of their own so they never touch a user's lab.
func renamedLab(_ bundled: String, as name: String) throws -> LabSpec {
    var spec = try loadBundled(bundled)
    spec.name = name
    return spec
}
