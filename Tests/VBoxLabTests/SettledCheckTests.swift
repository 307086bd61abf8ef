import Foundation
import Testing

@testable import VBoxLabHost
@testable import VBoxLabModel

/// A program whose work is seen done before it exits (VBoxManage's 10 s exit stall): the
/// runner takes the check's answer, and the program is still reaped on its own thread.
@Suite struct SettledCheckTests {
    /// The program writes its work (a file) at once, then sits in its "exit" for 30 s. The
    /// check looks for the file: the run returns the check's result long before the 30 s,
    /// and the program, left behind, is still running until its own thread reaps it.
    @Test func aProgramWhoseWorkIsDoneIsNotWaitedFor() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("settled-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }  // the test's own folder
        let work = dir.appendingPathComponent("work").path
        let pidFile = dir.appendingPathComponent("pid").path
        let looks = Locked(0)
        let check = SettledCheck(after: 0.3, every: 0.2) {
            looks.update { $0 += 1 }
            guard FileManager.default.fileExists(atPath: work) else { return nil }
            return CommandResult(status: 0, stdout: "seen")
        }
        let started = Date()
        let r = try ProcessRunner().run(
            Command("sh", ["-c", "echo $$ > \"$1\"; touch \"$2\"; exec sleep 30", "sh", pidFile, work]), settled: check)
        let took = Date().timeIntervalSince(started)
        #expect(r == CommandResult(status: 0, stdout: "seen"))
        #expect(took < 10, "waited \(took) s for a program whose work was done")
        #expect(looks.get() >= 1)
        let pid = try #require(
            Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == 0, "the program left behind must still run until it exits on its own")
        kill(pid, SIGKILL)  // the test's own child: not left for 30 s
    }

    /// A program that exits before the first look gives its own result; the check is never asked.
    @Test func aProgramThatExitsInTimeGivesItsOwnResult() throws {
        let looks = Locked(0)
        let check = SettledCheck(after: 5, every: 1) {
            looks.update { $0 += 1 }
            return CommandResult(status: 0, stdout: "not this")
        }
        let r = try ProcessRunner().run(Command("sh", ["-c", "echo mine; exit 3"]), settled: check)
        #expect(r == CommandResult(status: 3, stdout: "mine\n"))
        #expect(looks.get() == 0)
    }

    /// While the check answers nil the program is waited for, and its failure is its own.
    @Test func aCheckThatSeesNothingWaitsForTheProgram() throws {
        let looks = Locked(0)
        let check = SettledCheck(after: 0.1, every: 0.1) {
            looks.update { $0 += 1 }
            return nil
        }
        let r = try ProcessRunner().run(Command("sh", ["-c", "sleep 0.8; echo late >&2; exit 5"]), settled: check)
        #expect(r == CommandResult(status: 5, stderr: "late\n"))
        #expect(looks.get() >= 2)
    }

    /// A slow look (a long read) does not hold back the program's own result.
    @Test func aSlowLookDoesNotDelayTheProgram() throws {
        let check = SettledCheck(after: 0.1, every: 0.1) {
            Thread.sleep(forTimeInterval: 5)
            return nil
        }
        let started = Date()
        let r = try ProcessRunner().run(Command("sh", ["-c", "sleep 0.5; echo done"]), settled: check)
        #expect(r == CommandResult(status: 0, stdout: "done\n"))
        #expect(Date().timeIntervalSince(started) < 4, "the program's result waited for the look")
    }
}
