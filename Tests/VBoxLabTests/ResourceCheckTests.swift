import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The VMs a run starts against the host's memory and cores: refused with the fix, warned
/// near the limit, silent when they fit.
@Suite struct ResourceCheckTests {
    let host = HostResources(availableMB: 20_000, cores: 2)
    func vm(_ name: String, memory: Int = 1024, cpus: Int = 1) -> VMSpec {
        VMSpec(name: name, nics: [], memory: memory, cpus: cpus)
    }

    @Test func aLabThatFitsIsSilent() {
        let check = ResourceCheck.judge(
            lab: "l", starting: [vm("a"), vm("b"), vm("c")], host: host, command: "vboxlab create l")
        #expect(check == ResourceCheck(refusal: nil, warnings: []))
        #expect(ResourceCheck.judge(lab: "l", starting: [], host: host, command: "x").refusal == nil)
    }

    @Test func moreMemoryThanAvailableIsRefusedWithTheFix() {
        let check = ResourceCheck.judge(
            lab: "big", starting: (1...6).map { vm("v\($0)", memory: 8192, cpus: 2) }, host: host,
            command: "vboxlab create big")
        #expect(
            check.refusal
                == "lab big needs 49152 MB of memory for the 6 VMs it starts and this host has 20000 MB available; "
                + "give the VMs less (memory in the spec), stop what else runs, or run anyway: vboxlab create big "
                + "--force"
        )
    }

    @Test func moreVCPUsThanCoresIsRefused() {
        let check = ResourceCheck.judge(
            lab: "l", starting: [vm("a"), vm("wide", cpus: 4)], host: host, command: "vboxlab fix-macs l")
        #expect(
            check.refusal
                == "VM wide of lab l asks for 4 vCPUs and this host has 2 cores; give it at most 2 (cpus in the spec), "
                + "or run anyway: vboxlab fix-macs l --force")
    }

    @Test func nearTheLimitIsAWarning() {
        let check = ResourceCheck.judge(
            lab: "l", starting: [vm("a", memory: 8000), vm("b", memory: 8000)], host: host, command: "x")
        #expect(check.refusal == nil)
        #expect(check.warnings == ["the 2 VMs of lab l take 16000 MB of the 20000 MB this host has available"])
    }

    @Test func memAvailableIsReadFromMeminfo() {
        let text = "MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20480000 kB\n"
        #expect(HostResources.availableKB(meminfo: text) == 20_480_000)
        #expect(HostResources.availableKB(meminfo: "MemTotal: 1 kB\n") == nil)
    }
}
