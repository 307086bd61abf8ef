import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A lab never touches another, a half-built lab converges, a missing namespace gets the
/// right verdict, the host's neighbour-table limits go back as they were.
extension NetnsProviderTests {
    /// A device node in a box is refused from the listing, before anything is unpacked (made as root,
    /// which is what this suite runs as).
    @Test func deviceNodesAreRefused() throws {
        let dir = NSTemporaryDirectory() + "vboxlab-dev-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let src = "\(dir)/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        try "<Envelope/>".write(toFile: "\(src)/box.ovf", atomically: true, encoding: .utf8)
        try ProcessRunner().check(Command("mknod", ["\(src)/null", "c", "1", "3"]))
        try ProcessRunner().check(Command("tar", ["-czf", "\(dir)/dev.box", "-C", src, "."]))
        do {
            try BoxArchive(file: "\(dir)/dev.box", runner: ProcessRunner()).unpack(into: "\(dir)/out")
            Issue.record("a device node was unpacked")
        } catch {
            #expect(error.explanation.contains("./null is not a plain file or folder"), "\(error.explanation)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    /// A bridging VM gone is `vm-down` naming it; the switch gone is `vm-down` naming the switch,
    /// and status still shows the lab, with the missing VM listed as missing.
    @Test func missingNamespacesGetTheRightVerdict() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-gone"]) }
        try place.write("vt-gone.json5", bundled: "bridge-lab", name: "vt-gone")
        #expect(try place.run(["create", "--provider", "netns"]).status == 0)
        try deleteNamespace("vbl-vt-gone-centos-2", peer: ("vbl-vt-gone-sw", "centos-2-2"))
        let bridgeGone = try place.run(["check", "--json"])
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(bridgeGone.stdout.utf8)) as? [String: Any])
        let pairs = try #require(report["pairs"] as? [[String: Any]])
        #expect(pairs.map { $0["cause"] as? String } == ["vm-down", "vm-down"], "\(bridgeGone.stdout)")
        #expect((pairs[0]["reason"] as? String)?.contains("centos-2") == true)
        let status = try place.run(["status", "--json"])
        #expect(status.status == 0)
        #expect(
            status.stdout.contains(
                #"{"name":"centos-2","state":"missing","namespace":null,"reach":null,"nics":[],"bridges":[]}"#),
            "\(status.stdout)")
        #expect(try place.run(["create"]).status == 0)

        try deleteNamespace("vbl-vt-gone-sw", peer: ("vbl-vt-gone-centos-1", "enp0s8"))
        let switchGone = try place.run(["check"])
        #expect(
            switchGone.status == 1
                && switchGone.stdout.contains(
                    "\nvm-down: 2 pairs\n  centos-1 1.1.1.10 → centos-3 1.1.1.20: the lab's switch (namespace "
                        + "vbl-vt-gone-sw, which plays every internal network) is missing"
                ), "\(switchGone.stdout)")
        let text = try place.run(["status"])
        #expect(
            text.status == 0
                && text.stdout.hasPrefix("switch missing: namespace vbl-vt-gone-sw; every internal network is gone\n"),
            "\(text.stdout)")
        let again = try place.run(["create"])
        #expect(
            again.status == 0 && again.stdout.contains("  re-created the switch namespace vbl-vt-gone-sw\n"),
            "\(again.stdout)")
    }

    /// A create killed outright leaves its `ip -batch` running, still adding the namespaces its
    /// pending record names while the next create clears them: that create waits them out
    /// and converges (once seen as "namespaces that are not its own" under load).
    @Test func aKilledRunsBatchStillAddingNamespacesIsWaitedOut() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-orphan"]) }
        try place.write("vt-orphan.json5", bundled: "bridge-lab", name: "vt-orphan")
        #expect(try place.run(["create", "vt-orphan"]).status == 0)
        // The record as the killed run left it: pending, its namespaces named but not yet identified.
        let path = "\(place.state)/vboxlab/labs/vt-orphan.json"
        var record = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        record["pending"] = true
        record["owned"] = (record["owned"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "id" } }
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: path))
        let names = NetnsNames(lab: "vt-orphan")
        let vms = ["centos-1", "centos-2", "centos-3"].map(names.vmNamespace)
        // The killed run had made the switch's namespace; its orphaned batch goes on adding the
        // VMs' for 1.5 s (each again within 20 ms of its going), while the next create runs.
        NetnsHostnames(runner: ProcessRunner(), dryRun: false).remove(vms)
        try ProcessRunner().check(Command("ip", ["-batch", "-"], input: vms.map { "netns del \($0)\n" }.joined()))
        let orphan = """
            end=$(( $(date +%s%N) + 1500000000 ))
            while [ "$(date +%s%N)" -lt "$end" ]; do
              for n in "$@"; do [ -e "/run/netns/$n" ] || ip netns add "$n"; done; sleep 0.02
            done
            """
        // As on a loaded host, the clearing returns late (0.4 s), so the orphan adds again meanwhile.
        let bin = "\(place.dir)/slow-bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try """
        #!/bin/sh
        if [ "$*" = "-force -batch -" ]; then /bin/ip "$@"; s=$?; sleep 0.4; exit $s; fi
        exec /bin/ip "$@"
        """.write(toFile: "\(bin)/ip", atomically: true, encoding: .utf8)
        chmod("\(bin)/ip", 0o755)
        let searchPath = "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin")
        try ProcessRunner().check(Command("sh", ["-c", "(\(orphan)) >/dev/null 2>&1 &", "sh"] + vms))
        let again = try CLI.run(
            ["create", "vt-orphan"], cwd: place.dir, env: place.env.merging(["PATH": searchPath]) { $1 })
        Thread.sleep(forTimeInterval: 1.6)  // the orphan is gone before the cleanup runs, whatever happened
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stderr.contains("an earlier run on lab vt-orphan was stopped half-way"), "\(again.stderr)")
        #expect(kernelPing("vt-orphan", from: "centos-1", "1.1.1.10", to: "1.1.1.20"))
    }

    /// SIGKILL at several points of a 100-VM create: the next create converges and pings,
    /// and destroy then leaves nothing.
    @Test(arguments: ["first namespace", "half the namespaces", "every namespace", "guest setup"])
    func sigkillThenCreateConverges(point: String) throws {
        try HostNeighbourLimits.keepingThem { try sigkillThenCreateConvergesBody(point: point) }
    }

    /// A lab of 100 endpoints raises the neighbour-table limits; a killed run may leave them raised.
    func sigkillThenCreateConvergesBody(point: String) throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-kill"]) }
        let hosts = (0..<100).map {
            #"{ name: "h\#($0)", nics: [ { network: "k", ip: "10.61.\#($0 / 200).\#($0 % 200 + 1)/16" } ] }"#
        }
        try place.write(
            "vt-kill.json5", name: "vt-kill", text: "{ name: \"vt-kill\", vms: [\(hosts.joined(separator: ",\n"))] }")
        let binary = try #require(CLI.executable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["create", "vt-kill", "--provider", "netns"]
        process.currentDirectoryURL = URL(fileURLWithPath: place.dir)
        process.environment = ProcessInfo.processInfo.environment.merging(place.env) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        func count() -> Int { HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-vt-kill-") }.count }
        func settled() -> Bool {
            (try? String(contentsOfFile: "\(place.state)/vboxlab/labs/vt-kill.json", encoding: .utf8))?.contains(
                "\"pending\" : false") == true
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline {
            let n = count()
            if point == "first namespace" && n >= 1 || point == "half the namespaces" && n >= 50
                || point == "every namespace" && n >= 101
                || point == "guest setup" && settled()
            {
                break
            }
            usleep(500)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let again = try place.run(["create", "vt-kill"])
        #expect(again.status == 0, "after SIGKILL at \(point): \(again.stdout.prefix(300))\(again.stderr.suffix(600))")
        #expect(again.stdout.contains("vt-kill: 9900 of 9900 pairs reached"), "\(again.stdout.prefix(200))")
        #expect(kernelPing("vt-kill", from: "h0", "10.61.0.1", to: "10.61.0.100"))
        let gone = try place.run(["destroy", "vt-kill"])
        #expect(gone.status == 0)
        #expect(count() == 0 && !FileManager.default.fileExists(atPath: "\(place.state)/vboxlab/labs/vt-kill.json"))
    }

    /// The host's neighbour-table limits are raised for a large lab, said with the old values,
    /// and restored when the last large lab is destroyed.
    @Test func neighbourLimitsAreRestored() throws {
        try HostNeighbourLimits.keepingThem { try neighbourLimitsAreRestoredBody() }
    }

    func neighbourLimitsAreRestoredBody() throws {
        try HostNeighbourLimits.write(["128", "512", "1024"])
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-neigh"]) }
        let hosts = (0..<30).map { #"{ name: "h\#($0)", nics: [ { network: "nb", ip: "10.62.0.\#($0 + 1)/24" } ] }"# }
        try place.write(
            "vt-neigh.json5", name: "vt-neigh", text: "{ name: \"vt-neigh\", vms: [\(hosts.joined(separator: ",\n"))] }"
        )
        let create = try place.run(["create", "--provider", "netns"])
        #expect(create.status == 0)
        #expect(
            create.stderr.contains(
                "vboxlab: raised neighbour limits gc_thresh1/2/3 128/512/1024 → 450/900/1800 (30 "
                    + "endpoints)\nvboxlab: destroying the last large lab restores 128/512/1024\n"
            ), "\(create.stderr)")
        #expect(NeighbourLimits.read() == [450, 900, 1800])
        #expect(
            FileManager.default.fileExists(atPath: "\(place.state)/vboxlab/checks/vt-neigh.json"),
            "create's check is kept for graph --check")
        let destroy = try place.run(["destroy"])
        #expect(
            destroy.stderr.contains(
                "vboxlab: restored the host's neighbour table limits (gc_thresh1/2/3 128/512/1024)"),
            "\(destroy.stderr)")
        #expect(NeighbourLimits.read() == [128, 512, 1024])
        // The lock file and the kept check go with the lab.
        #expect(!FileManager.default.fileExists(atPath: "\(place.state)/run/vboxlab/vt-neigh.lock"))
        #expect(!FileManager.default.fileExists(atPath: "\(place.state)/vboxlab/checks/vt-neigh.json"))
    }

    /// The limits are the host's, whatever state directory a lab's record is in: a large lab
    /// made while another's raise is in force keeps them raised after the first is destroyed,
    /// and the last one's destroy restores them.
    @Test func neighbourLimitsAcrossStateDirectories() throws {
        try HostNeighbourLimits.keepingThem {
            try HostNeighbourLimits.write(["128", "512", "1024"])
            let a = try CLIPlace()
            let b = try CLIPlace()
            defer {
                a.cleanup(labs: ["vt-na"])
                b.cleanup(labs: ["vt-nb"])
            }
            for (place, lab, net) in [(a, "vt-na", 64), (b, "vt-nb", 65)] {
                let hosts = (0..<30).map {
                    #"{ name: "h\#($0)", nics: [ { network: "nb", ip: "10.\#(net).0.\#($0 + 1)/24" } ] }"#
                }
                try place.write(
                    "\(lab).json5", name: lab, text: "{ name: \"\(lab)\", vms: [\(hosts.joined(separator: ",\n"))] }")
                #expect(try place.run(["create", "--provider", "netns", "--no-setup"]).status == 0)
            }
            #expect(try a.run(["destroy"]).status == 0)
            #expect(NeighbourLimits.read() == [450, 900, 1800], "a lab still needs them raised")
            #expect(try b.run(["destroy"]).status == 0)
            #expect(NeighbourLimits.read() == [128, 512, 1024])
        }
    }

    /// A VM name long enough for a hashed switch port, beside a VM named like that hash:
    /// the hashed form starts with `+`, which no VM name can, so the two never meet.
    @Test func hashedPortsNeverMeetAVMName() throws {
        let long = "averyveryverylongvmname"
        let hashed = NetnsNames(lab: "vt-hash").switchPort(NICRef(vm: long, slot: 2))
        #expect(hashed.hasPrefix("+") && hashed.utf8.count <= 15)
        let lookalike = "p" + hashed.dropFirst().dropLast(2)
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-hash"]) }
        try place.write(
            "vt-hash.json5", name: "vt-hash",
            text:
                "{ name: \"vt-hash\", vms: [ { name: \"\(long)\", nics: [ { network: \"hh\", ip: \"10.63.0.1/24\" } "
                + "] }, { name: \"\(lookalike)\", nics: [ { network: \"hh\", ip: \"10.63.0.2/24\" } ] } ] }"
        )
        let r = try place.run(["create", "--provider", "netns"])
        #expect(r.status == 0 && r.stdout.hasPrefix("vt-hash: 2 of 2 pairs reached"), "\(r.stdout)\(r.stderr)")
    }
}

/// The host's neighbour-table limits (net.ipv4.neigh.default.gc_thresh1/2/3), which a test
/// of a large lab changes: put back exactly as the test found them, whatever the test does.
/// A failed expectation or a thrown error restores them on the way out; a test process that
/// died first left them in `saved`, and the next run restores them from there before it reads.
enum HostNeighbourLimits {
    static let files = ["gc_thresh1", "gc_thresh2", "gc_thresh3"].map { "/proc/sys/net/ipv4/neigh/default/" + $0 }
    static let saved = "/run/vboxlab-tests-gc_thresh"

    static func read() throws -> [String] {
        try files.map {
            try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
    static func write(_ values: [String]) throws {
        for (file, value) in zip(files, values) {
            try (value + "\n").write(toFile: file, atomically: false, encoding: .utf8)
        }
        let now = try read()
        if now != values {
            throw VBoxLabError.commandFailed(
                command: "write \(values) to gc_thresh1/2/3", status: 1, stderr: "they read \(now)")
        }
    }

    static func keepingThem(_ body: () throws -> Void) throws {
        if let left = try? String(contentsOfFile: saved, encoding: .utf8) {
            try write(left.split(separator: "\n").map(String.init))
            print("vboxlab tests: restored gc_thresh1/2/3 from \(saved), left by a test process that died")
        }
        let original = try read()
        try original.joined(separator: "\n").write(toFile: saved, atomically: true, encoding: .utf8)
        // vboxlab's own host-wide note of what it raised goes back as it was, too.
        let note = FileManager.default.contents(atPath: NeighbourLimits.path)
        try? FileManager.default.removeItem(atPath: NeighbourLimits.path)
        defer {
            if let note {
                try? note.write(to: URL(fileURLWithPath: NeighbourLimits.path))
            } else {
                try? FileManager.default.removeItem(atPath: NeighbourLimits.path)
            }
            do {
                try write(original)
                try FileManager.default.removeItem(atPath: saved)
            } catch {
                let thresholds = original.joined(separator: "/")
                let message = "could not put the host's gc_thresh1/2/3 back to \(thresholds): \(error); "
                Issue.record("\(message)they are saved in \(saved)")
            }
        }
        try body()
    }
}
