import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// VBoxManage (7.x) can sit 10 s in its own exit after its call is made (Tests/README):
/// against the real VBoxManage, with the shim holding each call's exit back.
extension VirtualBoxTests {
    /// Every clone, modifyvm and startvm of a create sits 30 s in its exit after doing its
    /// work. A read shows each one's work in place, so the create goes on without waiting,
    /// says so, and ends with the lab as planned (its read after the writes found no change
    /// missing). Waited out, each VM's three calls alone would take 90 s.
    @Test func writesStalledInTheirExitAreNotWaitedFor() throws {
        let place = try VBoxPlace(tag: "stall")
        defer { place.cleanup() }
        try place.write("vb-stall", bundled: "bridge-lab")
        place.extra["VBOXLAB_SHIM_EXIT_STALL"] = "^(clonevm|modifyvm|startvm) "
        let started = Date()
        let r = try place.run(["create", "vb-stall", "--no-setup"])
        let took = Date().timeIntervalSince(started)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(took < 45, "create waited \(took) s: the stalled exits were waited out")
        for verb in ["clonevm", "modifyvm", "startvm"] {
            #expect(
                r.stderr.contains(
                    "vboxlab: VBoxManage \(verb) has not exited yet, but its work is in place; going on without "
                        + "waiting for it (VirtualBox's client can take 10 s to exit)"), "\(r.stderr)")
        }
        // The looks are reads: each write was made once.
        #expect(place.writes.count == 9 && Set(place.writes).count == 9, "\(place.writes)")
        #expect(place.calls.contains { $0.hasPrefix("list runningvms") }, "\(place.calls)")
        // What the create left is the plan: a second create, without stalls, writes nothing.
        place.extra["VBOXLAB_SHIM_EXIT_STALL"] = nil
        place.resetCalls()
        let again = try place.run(["create", "vb-stall", "--no-setup"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(place.writes.isEmpty, "\(place.writes)")
        // A lab's day: saved at night, started in the morning by startvm calls that stall too.
        #expect(try place.run(["stop", "vb-stall", "--save"]).status == 0)
        place.extra["VBOXLAB_SHIM_EXIT_STALL"] = "^startvm "
        let morning = Date()
        let morningStart = try place.run(["start", "vb-stall", "--no-check"])
        let startTook = Date().timeIntervalSince(morning)
        #expect(morningStart.status == 0, "\(morningStart.stderr)")
        #expect(startTook < 25, "start waited \(startTook) s: the stalled exits were waited out")
        #expect(
            morningStart.stderr.contains("vboxlab: VBoxManage startvm has not exited yet"), "\(morningStart.stderr)")
    }
}
