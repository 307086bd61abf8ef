import Foundation
import VBoxLabHost
import VBoxLabModel

extension NetnsProvider {
    /// The lab without VirtualBox: chosen for a new lab only where VirtualBox is not.
    public static let descriptor = ProviderDescriptor(
        name: "netns", summary: "network namespaces", noun: "namespace", priority: 10,
        availability: {
            guard Privileges.isRoot else {
                return .unavailable(reason: "not root", fix: "network namespaces need root; run it as root")
            }
            guard ProcessRunner.resolve("ip") != nil else {
                return .unavailable(reason: "'ip' not found", fix: ProcessRunner.installHint("ip"))
            }
            return .available
        },
        specRules: { spec in
            // A VM's namespace is vbl-LAB-VM and the switch's vbl-LAB-sw: a VM named sw would take it.
            spec.vms.enumerated().filter { $0.element.name == "sw" }.map { i, _ in
                (
                    "vms[\(i)].name",
                    "\"sw\" is reserved: the netns provider's switch namespace is "
                        + "\(NetnsNames(lab: spec.name.isEmpty ? "LAB" : spec.name).switchNamespace), the namespace "
                        + "this "
                        + "VM would get"
                )
            }
        },
        make: { (c: ProviderContext) throws(VBoxLabError) -> LabProvider in NetnsProvider(context: c) })
}
