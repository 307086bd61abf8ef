import Foundation
import Testing

@testable import VBoxLab

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

    @Test func manyGuestsAreCountedAndTheLineFitsATerminal() {
        let lines = Lines()
        let vms = (1...40).map { "a-rather-long-vm-name-\($0)" }
        let board = WaitBoard(vms: vms, limit: 600, progress: lines.add)
        board.tick(vms[0])
        #expect(lines.all == ["waiting for ssh: 0 of 40 answer; 40 VMs booting 0 s (limit 600 s: VBOXLAB_SSH_WAIT)"])
        #expect(lines.all.allSatisfy { "vboxlab: \($0)".count <= 100 })
    }
}
