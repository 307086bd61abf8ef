import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The wait's status line is redrawn in place on a terminal: it names the guests while few,
/// counts them when many, and always says the limit and how to change it.
@Suite struct WaitBoardTests {
    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var all: [String] = []
        func add(_ s: String) {
            lock.lock()
            all.append(s)
            lock.unlock()
        }
    }

    @Test func fewGuestsAreNamed() {
        let lines = Lines()
        let board = WaitBoard(vms: ["centos-1", "centos-2", "centos-3"], limit: 180, progress: lines.add)
        board.answered("centos-1")
        board.tick("centos-3")
        #expect(
            lines.all == [
                "waiting for ssh: 1 of 3 answer; centos-2, centos-3 booting 0 s (limit 180 s: VBOXLAB_SSH_WAIT)"
            ])
        board.tick("centos-3")
        #expect(lines.all.count == 1, "a second tick within 30 s says nothing")
    }

    /// A guest up for longer than a boot is not said to boot.
    @Test func upGuestsAreNotSaidToBoot() {
        let lines = Lines()
        let board = WaitBoard(
            vms: ["centos-1", "centos-2"], limit: 240, booting: ["centos-2"], progress: lines.add)
        board.tick("centos-1")
        #expect(
            lines.all == [
                "waiting for ssh: 0 of 2 answer; centos-2 booting, centos-1 up, not answering 0 s "
                    + "(limit 240 s: VBOXLAB_SSH_WAIT)"
            ])
    }

    /// The rule: booting VMs get the wait, more under emulation beyond the cores; up ones get 60 s.
    @Test func theWaitFitsWhatItWaitsFor() {
        let vms = ["a", "b", "c", "d", "e"]
        let tcg = GuestWait.plan(vms: vms, uptimes: ["e": 900], emulated: true, cores: 2, set: nil)
        #expect(tcg.booting == ["a", "b", "c", "d"])
        #expect(tcg.limits == ["a": 300, "b": 300, "c": 300, "d": 300, "e": 60])
        #expect(
            tcg.note
                == "4 VMs boot under software emulation on 2 cores: waiting up to 300 s for ssh (180 s, and 60 s "
                + "more for each VM beyond 2; VBOXLAB_SSH_WAIT sets it)")
        let kvm = GuestWait.plan(vms: vms, uptimes: [:], emulated: false, cores: 2, set: nil)
        #expect(kvm.limits.values.allSatisfy { $0 == 180 } && kvm.note == nil)
        let set = GuestWait.plan(vms: vms, uptimes: ["a": 30, "b": 1000], emulated: true, cores: 1, set: 900)
        #expect(set.limits == ["a": 900, "b": 60, "c": 900, "d": 900, "e": 900] && set.note == nil)
        let few = GuestWait.plan(vms: ["a", "b"], uptimes: [:], emulated: true, cores: 2, set: nil)
        #expect(few.limits == ["a": 180, "b": 180] && few.note == nil)
        #expect(GuestWait.plan(vms: ["a"], uptimes: ["a": 500], emulated: false, cores: 2, set: 5).limits == ["a": 5])
    }

    @Test func manyGuestsAreCountedAndTheLineFitsATerminal() {
        let lines = Lines()
        let vms = (1...40).map { "a-rather-long-vm-name-\($0)" }
        let board = WaitBoard(vms: vms, limit: 600, progress: lines.add)
        board.tick(vms[0])
        #expect(lines.all == ["waiting for ssh: 0 of 40 answer; 40 VMs booting 0 s (limit 600 s: VBOXLAB_SSH_WAIT)"])
        #expect(lines.all.allSatisfy { "vboxlab: \($0)".count <= 100 })
    }
}
