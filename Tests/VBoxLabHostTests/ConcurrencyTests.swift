import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Two commands on one lab at once, as a user starts them by accident (two terminals, a
/// script and a person): every command that changes the lab takes its lock before it reads
/// the record, so afterwards there is one lab, one record, nothing orphaned, and `destroy`
/// leaves nothing. Real namespaces, the real binary, labs of the test's own (`vc-…`).
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct ConcurrencyTests {
    /// Runs several vboxlab commands at the same moment; their results in the same order.
    static func atOnce(_ place: CLIPlace, _ commands: [[String]]) -> [CLI.Run?] {
        VBoxLabHostTests.atOnce(commands) { try? place.run($0) }
    }

    static func namespaces(_ lab: String) -> [String] {
        HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-\(lab)-") }.sorted()
    }

    /// After whatever the commands did: the lab is whole or gone, never half-known. A lab
    /// whose record exists owns every namespace of its prefix; with no record, none is left.
    static func expectWholeOrGone(_ place: CLIPlace, _ lab: String, _ context: String) throws {
        let status = try place.run(["status", lab, "--json"])
        let record = FileManager.default.fileExists(atPath: "\(place.state)/vboxlab/labs/\(lab).json")
        if record {
            #expect(status.status == 0 || status.status == 1, "\(context): status: \(status.stderr)")
        } else {
            #expect(namespaces(lab).isEmpty, "\(context): no record, yet \(namespaces(lab)) exist")
        }
        // Then the user's next commands work: create converges, destroy leaves nothing.
        let create = try place.run(["create", lab, "--provider", "netns"])
        #expect(create.status == 0, "\(context): create after: \(create.stdout)\(create.stderr)")
        let destroy = try place.run(["destroy", lab])
        #expect(destroy.status == 0, "\(context): destroy after: \(destroy.stderr)")
        #expect(namespaces(lab).isEmpty, "\(context): destroy left \(namespaces(lab))")
        #expect(
            !FileManager.default.fileExists(atPath: "\(place.state)/vboxlab/labs/\(lab).json"),
            "\(context): destroy left the record")
    }

    @Test func twoCreatesOfANewLabMakeOneLab() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vc-two"]) }
        try place.write("vc-two.json5", bundled: "bridge-lab", name: "vc-two")
        // A create of the seed takes a fifth of a second here, less than two processes may take
        // to start on a loaded runner: the lab is held for a second as a first create would
        // hold it, so the two surely meet at the lock.
        let runtime = StatePaths.fromEnvironment(place.env).runtime
        let held = Locked<LabLock?>(
            try LabLock(lab: "vc-two", directory: runtime, holder: "pid 1: vboxlab create vc-two"))
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { held.set(nil) }
        let runs = Self.atOnce(
            place, [["create", "vc-two", "--provider", "netns"], ["create", "vc-two", "--provider", "netns"]])
        for run in runs {
            let r = try #require(run)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        }
        // One built it; the other waited, read the record under the lock and found nothing to do.
        let outputs = runs.compactMap { $0?.stdout }
        #expect(
            outputs.filter { $0.contains("lab vc-two is already as planned; nothing changed") }.count == 1, "\(outputs)"
        )
        #expect(
            runs.compactMap { $0?.stderr }.allSatisfy {
                $0.contains("lab vc-two is in use by pid 1: vboxlab create vc-two; waiting up to 60 s for it")
            }, "\(runs.compactMap { $0?.stderr })")
        #expect(Self.namespaces("vc-two").count == 4, "\(Self.namespaces("vc-two"))")
        try Self.expectWholeOrGone(place, "vc-two", "two creates")
    }

    @Test func createBesideDestroyLeavesOneOrNone() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vc-cd"]) }
        try place.write("vc-cd.json5", bundled: "bridge-lab", name: "vc-cd")
        for round in 0..<4 {
            #expect(try place.run(["create", "vc-cd", "--provider", "netns"]).status == 0)
            // The spec gains a VM, so the create has work to do while destroy runs.
            try place.write("vc-cd.json5", bundled: "hub-lab", name: "vc-cd")
            let order =
                round % 2 == 0
                ? [["create", "vc-cd"], ["destroy", "vc-cd"]] : [["destroy", "vc-cd"], ["create", "vc-cd"]]
            let runs = Self.atOnce(place, order)
            for (command, run) in zip(order, runs) {
                let r = try #require(run)
                #expect(r.status == 0, "\(command): \(r.stdout)\(r.stderr)")
            }
            try Self.expectWholeOrGone(place, "vc-cd", "round \(round)")
            try place.write("vc-cd.json5", bundled: "bridge-lab", name: "vc-cd")
        }
    }

    /// A waiting command that the lock holder outlasts refuses, naming the holder.
    @Test func aBusyLabNamesItsHolder() throws {
        let dir = try CLI.tempDir().path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var first: LabLock? = try LabLock(lab: "vc-busy", directory: dir, holder: "pid 1: vboxlab create vc-busy")
        let said = Locked<[String]>([])
        #expect(
            throws: VBoxLabError.lab(
                .busy(
                    lab: "vc-busy", lock: "\(dir)/vc-busy.lock", waited: 0.3,
                    holder: "pid 1: vboxlab create vc-busy"))
        ) {
            _ = try LabLock(
                lab: "vc-busy", directory: dir, timeout: 0.3, progress: { line in said.update { $0.append(line) } })
        }
        #expect(said.get() == ["lab vc-busy is in use by pid 1: vboxlab create vc-busy; waiting up to 0.3 s for it"])
        // The lab is destroyed (its lock file goes) while a second command waits on the old
        // file: the second locks the new file, so a third cannot hold the lab beside it.
        first?.removeFileOnRelease = true
        let waiter = Locked<LabLock?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            waiter.set(try? LabLock(lab: "vc-busy", directory: dir, timeout: 10))
            done.signal()
        }
        usleep(300_000)
        first = nil
        done.wait()
        #expect(waiter.get() != nil)
        #expect(throws: VBoxLabError.self) { _ = try LabLock(lab: "vc-busy", directory: dir, timeout: 0.3) }
    }

    /// Random pairs of commands at once on one lab, 50 seeded runs: whatever the order,
    /// the lab is whole or gone afterwards, and create then destroy always succeed.
    @Test func randomPairsOfCommandsNeverOrphan() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vc-rand"]) }
        try place.write("vc-rand.json5", bundled: "bridge-lab", name: "vc-rand")
        let commands: [[String]] = [
            ["create", "vc-rand", "--provider", "netns"], ["fix-macs", "vc-rand"],
            ["destroy", "vc-rand"], ["check", "vc-rand"], ["create", "vc-rand", "--strategy", "none"],
        ]
        var generator = SplitMix64(seed: 2026)
        for run in 0..<50 {
            if Bool.random(using: &generator) {
                _ = try place.run(["create", "vc-rand", "--provider", "netns", "--no-setup"])
            }
            let pair = [commands.randomElement(using: &generator)!, commands.randomElement(using: &generator)!]
            let runs = Self.atOnce(place, pair)
            for (command, r) in zip(pair, runs) {
                let r = try #require(r)
                // fix-macs and check on a lab that is not there, or not set up, fail by design (1);
                // nothing may crash, be busy past the wait, or fail as a system error.
                #expect([0, 1].contains(r.status), "run \(run) \(pair): \(command) exited \(r.status): \(r.stderr)")
            }
            try Self.expectWholeOrGone(place, "vc-rand", "run \(run) \(pair)")
        }
    }
}
