import VBoxLabHost
import VBoxLabModel

/// The kernel work that brings a netns lab to a plan, as data: a new lab is the same
/// work with everything to add. The VMs' namespaces are this provider's; everything on
/// the switch side is the lab's `RegisteringSwitch`'s, fed by veths whose VM ends it
/// makes directly in the VMs' namespaces. A handful of batches do it all, deletions
/// first so a name freed is a name that can be reused.
public struct NetnsWork: Sendable {
    public let names: NetnsNames
    public var deleteNamespaces: [String] = []
    public var addVMNamespaces: [String] = []
    public var switchWork: SwitchWork
    /// One line per change, for people.
    public var changes: [String] = []

    public init(names: NetnsNames) {
        self.names = names
        switchWork = SwitchWork(names: names.switchNames)
    }

    /// Every namespace this work makes, the switch's first.
    public var addNamespaces: [String] { (switchWork.createNamespace ? [names.switchNamespace] : []) + addVMNamespaces }

    public var isEmpty: Bool { deleteNamespaces.isEmpty && addVMNamespaces.isEmpty && switchWork.isEmpty }

    /// The work for a plan against what the kernel has. `snapshot` nil: nothing exists.
    public static func diff(_ plan: RegistrationPlan, snapshot: NetnsObserver.Snapshot?, removeVMs: [String])
        -> NetnsWork
    {
        let names = NetnsNames(lab: plan.lab)
        var w = NetnsWork(names: names)
        let running = snapshot?.running ?? []
        for vm in plan.vmNames where !running.contains(vm) {
            w.addVMNamespaces.append(names.vmNamespace(vm))
            if snapshot != nil { w.changes.append("added VM \(vm)") }
        }
        for vm in removeVMs {
            w.deleteNamespaces.append(names.vmNamespace(vm))
            w.changes.append("removed VM \(vm)")
        }
        // A VM namespace made anew brings new veths; one deleted takes its veths along.
        w.switchWork = RegisteringSwitch(lab: plan.lab).work(
            ports(plan), seen: snapshot?.switchState ?? .absent,
            renewed: Set(plan.vmNames).subtracting(running), vanishing: Set(removeVMs))
        w.changes += w.switchWork.changes
        return w
    }

    /// Each NIC's port, fed by a veth whose other end is the guest interface in the VM's
    /// namespace, carrying the registered MAC as a VirtualBox NIC does until the guest
    /// changes it.
    static func ports(_ plan: RegistrationPlan) -> [SwitchPort] {
        let names = NetnsNames(lab: plan.lab)
        return plan.nics.map { nic in
            SwitchPort(
                nic,
                link: .veth(
                    peer: GuestInterfaceName.forSlot(nic.slot), namespace: names.vmNamespace(nic.vm), address: nic.mac))
        }
    }

    /// The commands in the order they must run: namespaces deleted, the switch's stale
    /// links deleted, namespaces made (the switch's with them), then the switch's links
    /// and registrations.
    public var commands: [Command] {
        let deleted = SwitchWork.batch(deleteNamespaces.map { "netns del \($0)" }).map {
            Command("ip", ["-force", "-batch", "-"], input: $0)
        }
        let root = SwitchWork.batch(switchWork.rootLines + addVMNamespaces.map { "netns add \($0)" }).map {
            Command("ip", ["-batch", "-"], input: $0)
        }
        return [
            deleted, switchWork.deleteCommand, root, switchWork.quietCommand, switchWork.linkCommand,
            switchWork.fdbCommand,
        ].compactMap { $0 }
    }
}
