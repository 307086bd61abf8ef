import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Interrupts at the worst moments of fix-macs --restart, against the real VBoxManage.
extension VirtualBoxTests {
    /// SIGTERM just after centos-2 was shut down to be changed: it is started again before
    /// vboxlab exits, once, nothing is deleted, and the lab lists every VM running; the
    /// fix-macs run again then finishes the change.
    @Test func sigtermDuringARestartStartsTheVMAgainOnce() throws {
        let place = try VBoxPlace(tag: "restart-term")
        defer { place.cleanup() }
        _ = try place.write("vb-rterm", bundled: "bridge-lab")
        #expect(
            try place.run(["create", "vb-rterm", "--no-setup", "--strategy", "none", "--provider", "virtualbox"]).status
                == 0)
        let vms = try place.recorded("vb-rterm")
        let centos2 = try #require(vms["centos-2"])
        place.resetCalls()
        try Self.run(
            ["fix-macs", "vb-rterm", "--restart", "--no-setup"],
            fault: .termAfter("controlvm \(centos2) acpipowerbutton"),
            place: place)
        let writes = place.writes
        #expect(writes.filter { $0.hasPrefix("startvm \(centos2)") }.count == 1, "\(writes)")
        #expect(!writes.contains { $0.hasPrefix("unregistervm") }, "\(writes)")
        #expect(
            place.calls.last { $0.hasPrefix("startvm") || $0.contains("acpipowerbutton") }?.hasPrefix("startvm")
                == true, "\(place.calls)")
        let list = try place.run(["list", "--json"])
        #expect(
            list.stdout.contains(#""name":"vb-rterm","provider":"virtualbox","state":"running","running":3,"total":3"#),
            "\(list.stdout)")
        let again = try place.run(["fix-macs", "vb-rterm", "--restart", "--no-setup"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try place.run(["destroy", "vb-rterm"]).status == 0)
    }

    /// SIGTERM while a failed create is being undone: the undo under way finishes, each VM
    /// is powered off and deleted once, and neither VM nor record is left.
    @Test func sigtermDuringTheUndoOfACreateUndoesOnce() throws {
        let place = try VBoxPlace(tag: "undo-term")
        defer { place.cleanup() }
        _ = try place.write("vb-uterm", bundled: "bridge-lab")
        place.fail = "^startvm"
        place.resetCalls()
        try Self.run(
            ["create", "vb-uterm", "--no-setup", "--provider", "virtualbox"], fault: .termAfter("unregistervm"),
            place: place)
        let deletes = place.writes.filter { $0.hasPrefix("unregistervm") }
        #expect(deletes.count == 3 && Set(deletes).count == 3, "\(place.writes)")
        #expect(try Self.labVMs("vb-uterm", names: []).isEmpty)
        #expect(try place.run(["list", "--json"]).stdout.contains(#"{"labs":[],"#))
    }
}
