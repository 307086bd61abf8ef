import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// What vboxlab would run, without root: the netns batches, the guest scripts and
/// `create --dry-run`, for every bundled lab, against golden files.
@Suite struct GoldenTests {
    /// A fresh build: the three batches, exactly, and IPv6 switched off in the new switch
    /// namespace between the first two (where the host has IPv6).
    @Test(arguments: bundledLabs) func netnsBuildBatches(lab: String) throws {
        let plan = try Solver.plan(try loadBundled(lab), strategy: nil)
        let work = NetnsWork.diff(plan, snapshot: nil, removeVMs: [])
        let quiet = FileManager.default.fileExists(atPath: "/proc/sys/net/ipv6/conf/all/disable_ipv6") ? 1 : 0
        #expect(
            work.commands.count == 3 + quiet && work.switchWork.deleteLinks.isEmpty && work.deleteNamespaces.isEmpty)
        expectGolden(rendered(work.commands), "netns-build/\(lab).txt")
    }

    /// fix-macs on a lab built as VirtualBox gives it (strategy none): only the switch's
    /// registrations and policies change, nothing is made or removed.
    @Test(arguments: bundledLabs) func netnsFixBatches(lab: String) throws {
        let spec = try loadBundled(lab)
        let before = try Solver.plan(spec, strategy: Strategy.none)
        let after = try Solver.plan(spec, strategy: nil)
        let work = NetnsWork.diff(after, snapshot: snapshot(of: before), removeVMs: [])
        #expect(work.commands.map(\.program) == ["bridge"])
        expectGolden(
            (work.changes.map { "# \($0)" } + [work.switchWork.fdbBatch ?? ""]).joined(separator: "\n"),
            "netns-fix/\(lab).txt")
        // And once there, nothing more to do.
        #expect(NetnsWork.diff(after, snapshot: snapshot(of: after), removeVMs: []).isEmpty)
    }

    /// A port fed by an existing link (a tap) is moved into the switch namespace under its
    /// port's name by the root batch, and registered exactly as a veth-fed one.
    @Test func tapPorts() throws {
        let plan = try Solver.plan(try loadBundled("hub-lab"), strategy: nil)
        let sw = RegisteringSwitch(lab: plan.lab)
        let ports = plan.nics.map { SwitchPort($0, link: .existing("tap-\($0.vm)-\($0.slot)")) }
        let work = sw.work(ports, seen: .absent, renewed: Set(plan.vmNames))
        let veths = NetnsWork.diff(plan, snapshot: nil, removeVMs: []).switchWork
        #expect(
            work.rootLines == ["netns add \(sw.namespace)"]
                + plan.nics.map {
                    "link set dev tap-\($0.vm)-\($0.slot) netns \(sw.namespace) name \(sw.names.port($0.ref))"
                })
        #expect(!(work.linkBatch ?? "").contains("veth") && work.fdbBatch == veths.fdbBatch)
        #expect(
            work.linkBatch?.split(separator: "\n").filter { $0.contains("master") }
                == veths.linkBatch?.split(separator: "\n").filter { $0.contains("master") })
    }

    func rendered(_ commands: [Command]) -> String {
        commands.map { "# \(([$0.program] + $0.arguments).joined(separator: " "))\n\($0.input ?? "")" }.joined(
            separator: "\n")
    }

    /// The guest script of every VM of every bundled lab.
    @Test(arguments: bundledLabs) func guestScripts(lab: String) throws {
        let plan = try Solver.plan(try loadBundled(lab), strategy: nil)
        let text = plan.vmNames.map { GuestScript(plan: plan, vm: $0).text }.joined(separator: "\n")
        expectGolden(text, "guest-script/\(lab).sh")
    }

    /// `ssh-setup --persist`: the seed's bridging VM, whose script writes the files of
    /// whichever network system the guest runs.
    @Test func persistScript() throws {
        let plan = try Solver.plan(try loadBundled("bridge-lab"), strategy: nil)
        expectGolden(
            GuestScript(plan: plan, vm: "centos-2", persist: true).text, "guest-script/bridge-lab-centos-2-persist.sh")
    }

    /// The drawing of every bundled lab, in both languages.
    @Test(arguments: bundledLabs) func drawings(lab: String) throws {
        let drawing = LabDrawing(plan: try Solver.plan(try loadBundled(lab), strategy: nil))
        expectGolden(drawing.mermaid, "graph/\(lab).mmd")
        expectGolden(drawing.dot, "graph/\(lab).dot")
    }

    /// Graphviz accepts every bundled lab's DOT.
    @Test(.enabled(if: ToolGate.has("dot"), "needs Graphviz's dot"), arguments: bundledLabs) func graphvizDrawsIt(
        lab: String
    ) throws {
        let drawing = LabDrawing(plan: try Solver.plan(try loadBundled(lab), strategy: nil))
        let dot = try #require(ProcessRunner.resolve("dot"), "Graphviz's dot is not installed (.ci/run installs it)")
        let svg = try ProcessRunner().run(Command(dot, ["-Tsvg"], input: drawing.dot))
        #expect(svg.status == 0 && svg.stdout.contains("<svg") && svg.stderr.isEmpty, "\(svg.stderr)")
    }

    /// `create --dry-run` through the executable: the changes, then every command, and
    /// nothing made. The lab is renamed so no real lab of the same name is in the way.
    @Test(arguments: bundledLabs) func createDryRun(lab: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = try String(contentsOfFile: "\(packageRoot)/labs/\(lab).json5", encoding: .utf8)
        text = text.replacingOccurrences(of: "name: \"\(lab)\"", with: "name: \"gd-\(lab.prefix(8))\"")
        try text.write(toFile: dir.appendingPathComponent("\(lab).json5").path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["create", lab, "--provider", "netns", "--dry-run"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        expectGolden(r.stdout, "create-dry-run/\(lab).txt")
        #expect(!HostNamespaces.namespaces().contains { $0.hasPrefix("vbl-gd-\(lab.prefix(8))-") })
    }

    /// Golden/ holds exactly the files these tests compare: a recording run
    /// (VBOXLAB_RECORD_GOLDEN=1) rewrites every one, and none lies there unchecked.
    @Test func everyGoldenFileIsCompared() {
        var compared = ["guest-script/bridge-lab-centos-2-persist.sh"] + CheckReportTests.goldens
        for lab in bundledLabs {
            compared += [
                "netns-build/\(lab).txt", "netns-fix/\(lab).txt", "guest-script/\(lab).sh", "graph/\(lab).mmd",
                "graph/\(lab).dot", "create-dry-run/\(lab).txt",
            ]
        }
        #expect(Golden.files(in: Golden.directory(of: #filePath)) == compared.sorted())
    }

    /// A switch as the plan leaves it, for diffs without a kernel.
    func snapshot(of plan: RegistrationPlan) -> NetnsObserver.Snapshot {
        let names = NetnsNames(lab: plan.lab)
        var networks: [String] = []
        for n in plan.nics where !networks.contains(n.network) { networks.append(n.network) }
        var bridges: [String: String] = [:]
        for (i, n) in networks.enumerated() { bridges[n] = names.switchBridge(i) }
        var ports: [NICRef: ObservedPort] = [:]
        for (i, n) in plan.nics.enumerated() {
            ports[n.ref] = ObservedPort(
                name: names.switchPort(n.ref), bridge: bridges[n.network], network: n.network,
                registered: n.mac, flood: n.promisc.receivesAll, index: i)
        }
        let observation = LabObservation(
            lab: plan.lab, provider: "netns", state: LabState(lab: plan.lab, vms: []), details: [:], switches: [],
            exists: true)
        return NetnsObserver.Snapshot(
            observation: observation, switchState: SwitchState(exists: true, bridges: bridges, ports: ports),
            running: Set(plan.vmNames))
    }
}
