import VBoxLabHost
import VBoxLabModel

/// What one VM must look like in VirtualBox, and how that differs from what it is: pure,
/// so the settings of a create and the changes of a fix-macs are tested without VirtualBox.
public struct VMDesign: Sendable {
    public var vm: String
    /// The VM's name in VirtualBox (`PREFIX-VM`): names are global to the host.
    public var hostName: String
    public var group: String
    public var memory: Int
    public var cpus: Int
    public var management: ManagementNIC
    /// The host port of the ssh forward on 127.0.0.1 (NAT management only).
    public var sshPort: Int?
    /// Lab NICs by slot (2..8); other slots are disabled.
    public var nics: [Int: PlannedNIC]

    public static let sshRule = "ssh"

    /// `hostName` turns the spec's VM and network names into VirtualBox's (the lab's prefix).
    public init(vm: VMSpec, lab: String, plan: RegistrationPlan, sshPort: Int?, hostName: (String) -> String = { $0 }) {
        self.vm = vm.name
        self.hostName = hostName(vm.name)
        group = Self.group(of: lab)
        memory = vm.memory
        cpus = vm.cpus
        management = vm.management
        self.sshPort = sshPort
        nics = Dictionary(
            uniqueKeysWithValues: plan.nics(of: vm.name).map { nic in
                var onHost = nic
                onHost.network = hostName(nic.network)
                return (nic.slot, onHost)
            })
    }

    /// Every setting, for a VM just cloned or imported: one `modifyvm`. Rules the base
    /// passed on under the name vboxlab uses are deleted first (adding a rule whose name
    /// exists fails the whole call).
    /// The VirtualBox group every VM of a lab lives in.
    public static func group(of lab: String) -> String { "/vboxlab/\(lab)" }

    public func allSettings(inherited: [VBoxNATRule]) -> [VMSetting] {
        var s: [VMSetting] = [.group(group), .memory(memory), .cpus(cpus)]
        s += managementSettings(deleting: inherited.contains { $0.slot == 1 && $0.name == Self.sshRule })
        for slot in labSlots {
            if let n = nics[slot] {
                s.append(.intnet(slot: slot, network: n.network, mac: n.mac, promisc: n.promisc))
            } else {
                s.append(.disabled(slot: slot))
            }
        }
        return s
    }

    func managementSettings(deleting: Bool) -> [VMSetting] {
        switch management {
        case .nat:
            guard let port = sshPort else { return [.nat(slot: 1)] }
            return [.nat(slot: 1)] + (deleting ? [.natRuleDelete(slot: 1, name: Self.sshRule)] : [])
                + [.natRule(slot: 1, name: Self.sshRule, hostIP: "127.0.0.1", hostPort: port, guestPort: 22)]
        case .bridged(let adapter, _): return [.bridged(slot: 1, adapter: adapter)]
        case .hostonly(let adapter, _): return [.hostonly(slot: 1, adapter: adapter)]
        }
    }

    /// One row of the fix-macs table.
    public struct Change: Sendable, Equatable {
        public var vm: String, slot: String, network: String, now: String, wanted: String, why: String
        /// A running VM takes it (`controlvm nicpromiscN`); otherwise the VM must be powered off.
        public var online: Bool
    }

    /// What differs from `seen`, as `modifyvm` settings (need a powered-off VM), policy
    /// changes a running VM takes, and one row per difference for people.
    public func diff(_ seen: VBoxVM) -> (
        offline: [VMSetting], online: [(slot: Int, policy: PromiscPolicy)], changes: [Change]
    ) {
        var offline: [VMSetting] = []
        var online: [(Int, PromiscPolicy)] = []
        var changes: [Change] = []
        func row(
            _ slot: String, _ network: String, _ now: String, _ wanted: String, _ why: String, online o: Bool = false
        ) {
            changes.append(Change(vm: vm, slot: slot, network: network, now: now, wanted: wanted, why: why, online: o))
        }
        if !seen.groups.contains(group) {
            offline.append(.group(group))
            row(
                "-", "-", "group \(seen.groups.joined(separator: ","))", "group \(group)",
                "the lab's VMs live in one group")
        }
        for slot in labSlots {
            let have = seen.nics[slot]
            guard let want = nics[slot] else {
                if let have {
                    offline.append(.disabled(slot: slot))
                    row(String(slot), have.network ?? "-", "attached", "disabled", "the spec has no NIC in this slot")
                }
                continue
            }
            let why = want.why
            guard let have, have.network != nil else {
                offline.append(.intnet(slot: slot, network: want.network, mac: want.mac, promisc: want.promisc))
                row(
                    String(slot), want.network, have == nil ? "disabled" : "not on an internal network",
                    "\(want.mac) \(want.promisc.rawValue)", why)
                continue
            }
            if have.network != want.network {
                offline.append(.network(slot: slot, want.network))
                row(String(slot), want.network, "on \(have.network!)", "on \(want.network)", why)
            }
            if have.mac != want.mac {
                offline.append(.mac(slot: slot, want.mac))
                row(String(slot), want.network, "MAC \(have.mac?.description ?? "none")", "MAC \(want.mac)", why)
            }
            if have.promisc != want.promisc {
                online.append((slot, want.promisc))
                row(String(slot), want.network, have.promisc.rawValue, want.promisc.rawValue, why, online: true)
            }
            if !have.cable {
                offline.append(.cable(slot: slot, true))
                row(String(slot), want.network, "cable off", "cable on", why)
            }
        }
        return (offline, online, changes)
    }
}
