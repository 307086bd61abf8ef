import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// VMs that do not fit the host are refused before anything is made, against the real
/// VBoxManage; namespaces, which use no memory of their own, are never refused.
extension VirtualBoxTests {
    @Test func aLabBiggerThanTheHostIsRefusedBeforeAnythingIsMade() throws {
        let place = try VBoxPlace(tag: "big")
        defer { place.cleanup() }
        _ = try place.write(
            "vb-big",
            text:
                #"{ name: "vb-big", vms: [ { name: "a", memory: 2000000, nics: [ { network: "vbb", ip: "#
                + #""10.9.2.1/24" } ] }, "#
                + #"{ name: "b", memory: 2000000, nics: [ { network: "vbb", ip: "10.9.2.2/24" } ] } ] }"#)
        place.resetCalls()
        let refused = try place.run(["create", "vb-big", "--no-setup", "--provider", "virtualbox"])
        #expect(
            refused.status == 4
                && refused.stderr.hasPrefix(
                    "error: lab vb-big needs 4000000 MB of memory for the 2 VMs it starts and this host has ")
                && refused.stderr.contains(
                    " MB available; give the VMs less (memory in the spec), stop what else runs, "),
            "\(refused.stderr)")
        #expect(refused.stderr.hasSuffix("or run anyway: vboxlab create vb-big --force\n"), "\(refused.stderr)")
        #expect(place.writes.isEmpty, "\(place.writes)")
        #expect(try place.run(["list", "--json"]).stdout.hasPrefix(#"{"labs":[],"#))
        let locks = (try? FileManager.default.contentsOfDirectory(atPath: "\(place.dir)/state/vboxlab/labs")) ?? []
        #expect(!locks.contains { $0.hasPrefix("vb-big") }, "\(locks)")
    }
}

extension LifecycleTests {
    @Test func namespacesAreNeverRefusedForTheirMemory() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-huge"]) }
        try place.write(
            "vt-huge.json5", name: "vt-huge",
            text:
                #"{ name: "vt-huge", vms: [ { name: "a", memory: 2000000, nics: [ { network: "h", ip: "10.9.1.1/24" "#
                + #"} ] }, "#
                + #"{ name: "b", memory: 2000000, nics: [ { network: "h", ip: "10.9.1.2/24" } ] } ] }"#)
        let create = try place.run(["create", "vt-huge", "--provider", "netns"])
        #expect(create.status == 0 && !create.stderr.contains("memory"), "\(create.stderr)")
        #expect(try place.run(["destroy", "vt-huge"]).status == 0)
    }
}
