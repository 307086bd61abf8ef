import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// VBoxManage's argv and output, without VirtualBox: the parsers on outputs the real
/// VBoxManage 7.2.22 printed (in Fixtures/vbox), and the exact argument arrays vboxlab builds.
@Suite struct VBoxManageTests {
    func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: "\(packageRoot)/Tests/VBoxLabTests/Fixtures/vbox/\(name)", encoding: .utf8)
    }

    @Test func parsesVersionAndVMList() throws {
        #expect(VBoxParse.version(try fixture("version.txt")) == [7, 2, 22])
        #expect(VBoxParse.version("6.1.50r161033\n") == [6, 1, 50])
        #expect(VBoxParse.version("garbage") == nil)
        let list = VBoxParse.vmList(try fixture("list-vms-quoted.txt"))
        #expect(list.map(\.name) == ["u1", #"q "x" y"#])
        #expect(list.map(\.uuid) == ["b6a54aed-b6e1-4c1f-a554-f1cf5a3f023c", "cb472e48-d967-4634-bcdd-4cd3303bafc9"])
    }

    @Test func parsesMachineReadable() throws {
        let keys = VBoxParse.machineReadable(try fixture("showvminfo-machinereadable.txt"))
        #expect(keys["name"] == "t1" && keys["groups"] == "/vboxlab/x" && keys["VMState"] == "poweroff")
        #expect(keys["intnet2"] == "intnet-1" && keys["macaddress2"] == "080027AABBCC" && keys["nic4"] == "none")
        #expect(keys["Forwarding(0)"] == "ssh,tcp,127.0.0.1,2222,,22" && keys["memory"] == "256")
    }

    /// `list -l vms`: one block per VM, with the policy that only the human form shows.
    @Test func parsesTheHumanInventory() throws {
        let vms = VBoxParse.inventory(try fixture("list-long-vms.txt"))
        #expect(vms.map(\.name) == ["t1", "t2"])
        let t1 = try #require(vms.first)
        #expect(
            t1.uuid == "4e779e7e-9b3d-4a7d-bb22-f255d6b18d7f" && t1.groups == ["/vboxlab/x"] && t1.state == "poweroff"
                && !t1.running)
        #expect(t1.memory == 256 && t1.cpus == 1)
        #expect(t1.nics[1]?.attachment == .nat)
        #expect(
            t1.nics[2]
                == VBoxNIC(
                    slot: 2, attachment: .intnet("intnet-1"), mac: MACAddress("08:00:27:aa:bb:cc"), cable: true,
                    promisc: .allowVMs))
        #expect(t1.nics[3]?.promisc == .deny && t1.nics[3]?.network == "intnet-2")
        #expect(t1.nics[4] == nil)
        #expect(t1.natRules == [VBoxNATRule(slot: 1, name: "ssh", hostIP: "127.0.0.1", hostPort: 2222, guestPort: 22)])
        #expect(vms[1].nics[2]?.mac == MACAddress("08:00:27:93:5a:e9"))
        #expect(VBoxParse.inventory(try fixture("showvminfo-human.txt")).first == t1)
        #expect(VBoxParse.shortState("running (since 2026-01-01T00:00:00.000000000)") == "running")
    }

    /// A new VM of the seed: the one modifyvm, exactly, the inherited ssh rule deleted first.
    @Test func createArgvIsExact() throws {
        let spec = try loadBundled("bridge-lab")
        let plan = try Solver.plan(spec, strategy: nil)
        let design = VMDesign(vm: spec.vm(named: "centos-2")!, lab: "bridge-lab", plan: plan, sshPort: 2223)
        let inherited = [VBoxNATRule(slot: 1, name: "ssh", hostIP: "127.0.0.1", hostPort: 2222, guestPort: 22)]
        #expect(
            VBoxManage.modify("U", design.allSettings(inherited: inherited)) == [
                "modifyvm", "U", "--groups", "/vboxlab/bridge-lab", "--memory", "1024", "--cpus", "1",
                "--nic1", "nat", "--natpf1", "delete", "ssh", "--natpf1", "ssh,tcp,127.0.0.1,2223,,22",
                "--nic2", "intnet", "--intnet2", "intnet-1", "--macaddress2", "080027697606", "--nicpromisc2", "deny",
                "--cableconnected2", "on",
                "--nic3", "intnet", "--intnet3", "intnet-2", "--macaddress3", "080027732BC4", "--nicpromisc3", "deny",
                "--cableconnected3", "on",
                "--nic4", "none", "--nic5", "none", "--nic6", "none", "--nic7", "none", "--nic8", "none",
            ])
        #expect(!design.allSettings(inherited: []).contains(.natRuleDelete(slot: 1, name: "ssh")))
        #expect(
            VBoxManage.cloneLinked(base: "B", snapshot: "base", name: "centos-2", uuid: "U")
                == [
                    "clonevm", "B", "--snapshot", "base", "--options", "link", "--name", "centos-2", "--uuid", "U",
                    "--register",
                ])
        #expect(
            VBoxManage.importAppliance(file: "/tmp/x.ova", name: "a", group: "/vboxlab/l") == [
                "import", "/tmp/x.ova", "--vsys", "0", "--vmname", "a", "--group", "/vboxlab/l",
            ])
        #expect(VBoxManage.start("U") == ["startvm", "U", "--type", "headless"])
        #expect(VBoxManage.setPromisc("U", slot: 3, .allowVMs) == ["controlvm", "U", "nicpromisc3", "allow-vms"])
    }

    /// fix-macs from strategy none to the plan: the two MACs of centos-2 need it powered off;
    /// a policy alone is something a running VM takes.
    @Test func diffSplitsWhatARunningVMTakes() throws {
        let spec = try loadBundled("bridge-lab")
        let none = try Solver.plan(spec, strategy: Strategy.none)
        let auto = try Solver.plan(spec, strategy: nil)
        let promisc = try Solver.plan(spec, strategy: .promisc)
        func seen(_ plan: RegistrationPlan) -> VBoxVM {
            var nics: [Int: VBoxNIC] = [1: VBoxNIC(slot: 1, attachment: .nat, mac: nil, cable: true, promisc: .deny)]
            for n in plan.nics(of: "centos-2") {
                nics[n.slot] = VBoxNIC(
                    slot: n.slot, attachment: .intnet(n.network), mac: n.mac, cable: true, promisc: n.promisc)
            }
            return VBoxVM(
                name: "centos-2", uuid: "U", groups: ["/vboxlab/bridge-lab"], state: "running", memory: 1024, cpus: 1,
                nics: nics, natRules: [])
        }
        let vm = spec.vm(named: "centos-2")!
        let toAuto = VMDesign(vm: vm, lab: "bridge-lab", plan: auto, sshPort: nil).diff(seen(none))
        #expect(
            toAuto.offline == [
                .mac(slot: 2, auto.nic(NICRef(vm: "centos-2", slot: 2))!.mac),
                .mac(slot: 3, auto.nic(NICRef(vm: "centos-2", slot: 3))!.mac),
            ])
        #expect(
            toAuto.online.isEmpty
                && toAuto.changes.map(\.why) == [
                    "centos-3 lies behind this port of br0", "centos-1 lies behind this port of br0",
                ])
        let toPromisc = VMDesign(vm: vm, lab: "bridge-lab", plan: promisc, sshPort: nil).diff(seen(none))
        #expect(toPromisc.offline.isEmpty && toPromisc.online.map(\.policy) == [.allowVMs, .allowVMs])
        #expect(VMDesign(vm: vm, lab: "bridge-lab", plan: auto, sshPort: nil).diff(seen(auto)).changes.isEmpty)
    }

    /// An `error:` line fails a call whatever its exit status (`--nic9` printed one and exited 0).
    @Test func anErrorLineFailsACallThatExitedZero() throws {
        let r = RecordingRunner { _ in CommandResult(status: 0, stderr: "VBoxManage: error: Invalid NIC number 9\n") }
        let vbox = VBoxManage(program: "VBoxManage", reader: r, writer: r)
        #expect(
            throws: VBoxLabError.commandFailed(
                command: "VBoxManage modifyvm x --nic9 intnet", status: 1,
                stderr: "VBoxManage: error: Invalid NIC number 9\n")
        ) {
            try vbox.write(["modifyvm", "x", "--nic9", "intnet"])
        }
        #expect(r.commands.first?.environment == ["LC_ALL": "C"] && r.commands.first?.timeout == 120)
    }

    /// A VM of eight lab NICs cannot be: slots 2..8 hold seven. Refused by validation.
    @Test func moreNICsThanSlotsIsRefused() throws {
        let nics = (0..<8).map { #"{ network: "n\#($0)" }"# }.joined(separator: ", ")
        do {
            _ = try parseSpec(
                #"{ name: "x", vms: [ { name: "a", nics: [ \#(nics) ] }, { name: "b", nics: [ { network: "n0", ip: "#
                    + #""10.0.0.2/24" } ] } ] }"#
            )
            Issue.record("must be refused")
        } catch {
            #expect(
                error.explanation.contains("vms[0].nics: 8 lab NICs, but a VM has only slots 2..8 (at most 7 lab NICs)")
            )
        }
    }

    /// Only a disk in the base's own folder is an interrupted import's.
    @Test func onlyTheBasesFolderIsCleared() {
        #expect(VirtualBoxProvider.isInside("/m/vboxlab/bases/B/d.vmdk", folder: "/m/vboxlab/bases/B"))
        #expect(!VirtualBoxProvider.isInside("/m/vboxlab/bases/B/x/d.vmdk", folder: "/m/vboxlab/bases/B"))
        #expect(!VirtualBoxProvider.isInside("/m/vboxlab/bases/B/../C/d.vmdk", folder: "/m/vboxlab/bases/B"))
        #expect(!VirtualBoxProvider.isInside("/m/vboxlab/bases/B/..", folder: "/m/vboxlab/bases/B"))
        let refusal = VBoxLabError.system(
            .commandFailed(
                command: "VBoxManage import", status: 1,
                stderr:
                    "0%...VBOX_E_FILE_ERROR\nVBoxManage: error: Appliance import failed\nVBoxManage: error: Could "
                    + "not create the imported medium '/root/VirtualBox VMs/vboxlab/bases/B/d.vmdk'.\nVBoxManage: "
                    + "error: VMDK: could not create new file '/root/VirtualBox VMs/vboxlab/bases/B/d.vmdk' "
                    + "(VERR_ALREADY_EXISTS)"
            ))
        #expect(VirtualBoxProvider.diskInTheWay(refusal) == "/root/VirtualBox VMs/vboxlab/bases/B/d.vmdk")
    }
}
