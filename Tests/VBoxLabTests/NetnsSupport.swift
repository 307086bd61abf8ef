import Foundation
import Testing
@testable import VBoxLab

/// Whether namespace tests can run here: root, `ip`, and a namespace that can be made.
enum NetnsGate {
    static let reason: String? = {
        if geteuid() != 0 { return "not root" }
        guard ProcessRunner.resolve("ip") != nil, ProcessRunner.resolve("bridge") != nil else { return "no ip/bridge (apt-get install iproute2)" }
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
struct NetnsLab {
    let spec: LabSpec
    let runner = ProcessRunner()

    init(_ spec: LabSpec) { self.spec = spec; destroy() }

    var provider: NetnsProvider { NetnsProvider(runner: runner) }
    func plan(_ strategy: Strategy? = nil) throws -> RegistrationPlan { try Solver.plan(spec, strategy: strategy) }
    var names: NetnsNames { NetnsNames(lab: spec.name) }

    func destroy() { _ = try? provider.destroy(lab: spec.name, vmNames: spec.vms.map(\.name)) }

    /// Runs `ping` itself inside the source VM's namespace: the kernel's verdict, not vboxlab's.
    /// The source's neighbour table is flushed first, so every ping starts with a fresh ARP.
    func ping(from vm: String, _ source: String, to target: String) -> Bool {
        _ = try? runner.run(Command("ip", ["-n", names.vmNamespace(vm), "neigh", "flush", "all"]))
        let c = Command("ip", ["netns", "exec", names.vmNamespace(vm), "ping", "-c", "1", "-W", "2", "-I", source, target])
        return (try? runner.run(c))?.status == 0
    }

    func check(_ strategy: Strategy? = nil) throws -> CheckReport { try LabChecker(runner: runner).check(try plan(strategy)).0 }

    /// `check --capture` for one failing pair: what tcpdump saw on the switch ports.
    func capture(_ result: PairResult, _ strategy: Strategy? = nil) throws -> CaptureVerdict? {
        guard let diagnosis = result.diagnosis else { return nil }
        return try NetnsCapture(runner: runner, plan: try plan(strategy)).capture(result.pair, diagnosis: diagnosis)
    }

    /// Runs `ip ARGS` inside a VM namespace, as a person would by hand.
    func inVM(_ vm: String, _ args: [String]) throws {
        try runner.check(Command("ip", ["-n", names.vmNamespace(vm)] + args))
    }

    /// Namespaces of this lab that the kernel still has.
    var leftovers: [String] { NetnsObserver.existingNamespaces().filter { $0.hasPrefix("vbl-\(spec.name)-") }.sorted() }
}

/// Specs for namespace tests carry names of their own so they never touch a user's lab.
func renamedLab(_ bundled: String, as name: String) throws -> LabSpec {
    var spec = try loadBundled(bundled)
    spec.name = name
    return spec
}
