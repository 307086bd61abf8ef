import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Two commands on one VirtualBox lab at once, against the real VBoxManage: one lab or
/// none afterwards, never a VM the record does not know, and destroy leaves no VM of it.
extension VirtualBoxTests {
    static func atOnce(_ place: VBoxPlace, _ commands: [[String]]) -> [CLI.Run?] {
        let (dir, env) = (place.dir, place.env)
        return VBoxLabHostTests.atOnce(commands) { try? CLI.run($0, cwd: dir, env: env) }
    }

    /// The lab's VMs in VirtualBox are exactly the record's (or none without one); then create
    /// and destroy work and leave no VM of the lab.
    static func expectWholeOrGone(_ place: VBoxPlace, _ lab: String, _ context: String) throws {
        let inVirtualBox = Set(try labVMs(lab, names: []).map(\.uuid))
        let recorded = Set(((try? place.recorded(lab)) ?? [:]).values)
        #expect(inVirtualBox == recorded, "\(context): VirtualBox has \(inVirtualBox), the record \(recorded)")
        let create = try place.run(["create", lab, "--no-setup", "--provider", "virtualbox"])
        #expect(create.status == 0, "\(context): create after: \(create.stderr)")
        let destroy = try place.run(["destroy", lab])
        #expect(destroy.status == 0, "\(context): destroy after: \(destroy.stderr)")
        #expect(try labVMs(lab, names: []).isEmpty, "\(context): destroy left VMs")
    }

    @Test func twoVirtualBoxCreatesAtOnceMakeOneLab() throws {
        let place = try VBoxPlace(tag: "two")
        defer { place.cleanup() }
        _ = try place.write("vb-two", bundled: "bridge-lab")
        let create = ["create", "vb-two", "--no-setup", "--provider", "virtualbox"]
        let runs = Self.atOnce(place, [create, create])
        for run in runs {
            let r = try #require(run)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        }
        #expect(
            runs.compactMap { $0?.stdout }.filter { $0.contains("is already as planned; nothing changed") }.count == 1,
            "\(runs.compactMap { $0?.stdout })")
        #expect(try Self.labVMs("vb-two", names: []).count == 3)
        try Self.expectWholeOrGone(place, "vb-two", "two creates")
    }

    @Test func virtualBoxCreateBesideDestroyLeavesOneOrNone() throws {
        let place = try VBoxPlace(tag: "cd")
        defer { place.cleanup() }
        _ = try place.write("vb-cd", bundled: "bridge-lab")
        for round in 0..<2 {
            #expect(try place.run(["create", "vb-cd", "--no-setup", "--provider", "virtualbox"]).status == 0)
            let create = ["create", "vb-cd", "--no-setup", "--provider", "virtualbox"]
            let order = round == 0 ? [create, ["destroy", "vb-cd"]] : [["destroy", "vb-cd"], create]
            for (command, run) in zip(order, Self.atOnce(place, order)) {
                let r = try #require(run)
                #expect(r.status == 0, "\(command): \(r.stdout)\(r.stderr)")
            }
            try Self.expectWholeOrGone(place, "vb-cd", "round \(round)")
        }
    }
}
