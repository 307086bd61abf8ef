import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The command runner and the lab lock, on programs and files of the test's own.
@Suite struct ProcessAndLockTests {
    /// A program that is not installed is exit 4 with how to get it, not a crash.
    @Test func missingProgramIsExitFourWithAHint() {
        do {
            _ = try ProcessRunner().run(Command("fping-not-installed-here", ["-v"]))
            Issue.record("must throw")
        } catch {
            #expect(error.exitCode == 4)
            #expect(error.explanation == "error: 'fping-not-installed-here' is missing: install it or put it on PATH")
        }
        #expect(ProcessRunner.installHint("bridge") == "install iproute2 (apt-get install -y iproute2)")
    }

    /// The runner hands input to the program and keeps stdout, stderr and the status apart.
    @Test func runnerFeedsInputAndSeparatesOutputs() throws {
        let r = try ProcessRunner().run(Command("sh", ["-s"], input: "read x; echo \"out $x\"; echo err >&2; exit 7\n"))
        #expect(r == CommandResult(status: 7, stdout: "out \n", stderr: "err\n"))
        let big = String(repeating: "0123456789", count: 20_000)
        let cat = try ProcessRunner().run(Command("cat", [], input: big))
        #expect(cat.stdout == big && cat.status == 0)
    }

    /// A child that exits before reading its input no longer kills vboxlab with SIGPIPE:
    /// the write fails, and the child's status says what happened.
    @Test func childThatStopsReadingIsAFailureNotASignal() throws {
        let big = String(repeating: "link show dev lo\n", count: 200_000)
        let r = try ProcessRunner().run(Command("ip", ["-batch", "-"], input: "no-such-ip-command\n" + big))
        #expect(r.status != 0 && r.stderr.contains("no-such-ip-command"))
        let t = try ProcessRunner().run(Command("true", [], input: big))
        #expect(t.status == 0)
    }

    /// A program past its timeout is stopped: exit 124 and a line that says so.
    @Test func timeoutStopsTheProgram() throws {
        let r = try ProcessRunner().run(Command("sleep", ["30"], timeout: 0.3))
        #expect(r.status == 124 && r.stderr == "vboxlab: stopped after 0.3 s (timeout)\n")
        // A wrapper's children go too: the whole process group is ended, and the call returns
        // at once though a grandchild holds the pipes.
        let started = Date()
        let marker = "vboxlab-timeout-\(getpid())-\(UUID().uuidString.prefix(6))"
        let nap = "37.\(Int.random(in: 100_000...999_999))"
        let group = try ProcessRunner().run(
            Command("sh", ["-c", "sleep \(nap) & exec -a \(marker) sleep 31"], timeout: 0.3))
        #expect(group.status == 124 && Date().timeIntervalSince(started) < 5)
        Thread.sleep(forTimeInterval: 0.3)
        let left = try ProcessRunner().run(Command("pgrep", ["-f", "sleep \(nap)|\(marker)"]))
        #expect(left.stdout.isEmpty, "the wrapper's children outlived the timeout: \(left.stdout)")
        let env = try ProcessRunner().run(Command("sh", ["-c", "echo $VBL_T"], environment: ["VBL_T": "set"]))
        #expect(env.stdout == "set\n")
    }

    /// Two commands on one lab never interleave: the second waits, then refuses with the
    /// holder's pid and words and the lock's path; a holder that wrote nothing is "another command".
    @Test func secondCommandOnALabWaitsThenRefuses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vt-lock-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var named: LabLock? = try LabLock(lab: "vt-lock", directory: dir, holder: "pid 7: vboxlab create vt-lock")
        do {
            _ = try LabLock(lab: "vt-lock", directory: dir, timeout: 0.3)
            Issue.record("the second lock must not be granted")
        } catch {
            #expect(
                error.explanation
                    == "error: lab vt-lock is busy: pid 7: vboxlab create vt-lock, holds \(dir)/vt-lock.lock (waited "
                    + "0.3 s); run this again when it has finished"
            )
        }
        named = nil
        let held = try LabLock(lab: "vt-lock", directory: dir, holder: "")
        do {
            _ = try LabLock(lab: "vt-lock", directory: dir, timeout: 0.3)
            Issue.record("the second lock must not be granted")
        } catch {
            #expect(error.exitCode == 1)
            #expect(
                error.explanation
                    == "error: lab vt-lock is busy: another vboxlab command holds \(dir)/vt-lock.lock (waited 0.3 "
                    + "s); run this again when it has finished"
            )
        }
        withExtendedLifetime((named, held)) {}
        _ = try LabLock(lab: "other-lab", directory: dir, timeout: 0.3)
    }

    /// A command's output limit keeps that many bytes of each stream, reads the rest to its
    /// end (the child never blocks on a full pipe) and says how much it dropped.
    @Test func outputBeyondTheLimitIsCountedNotKept() throws {
        let r = try ProcessRunner().run(
            Command(
                "sh", ["-c", "head -c 3000000 /dev/zero | tr '\\0' x; head -c 10 /dev/zero | tr '\\0' y >&2; exit 7"],
                timeout: 30, outputLimit: 1000))
        #expect(r.status == 7)
        #expect(r.stdout == String(repeating: "x", count: 1000) + "\n[vboxlab: 2999000 more bytes not kept]\n")
        #expect(r.stderr == "yyyyyyyyyy")
    }
}
