import Foundation
import VBoxLabHost
import VBoxLabModel

extension VirtualBoxProvider {
    /// VirtualBox is the tool's first reason to exist: a new lab uses it wherever `VBoxManage` is.
    public static let descriptor = ProviderDescriptor(
        name: "virtualbox", summary: "VirtualBox VMs", noun: "VM", priority: 100,
        availability: {
            ProcessRunner.resolve(VBoxManage.programFromEnvironment()) != nil
                ? .available
                : .unavailable(
                    reason: "VBoxManage not found",
                    fix: "install VirtualBox (Debian's contrib) or set VBOXLAB_VBOXMANAGE")
        },
        environment: [("VBOXLAB_VBOXMANAGE", "the VBoxManage program to run")],
        make: { (c: ProviderContext) throws(VBoxLabError) -> LabProvider in VirtualBoxProvider(context: c) })
}

extension OwnedObject.Kind {
    /// A VirtualBox VM, identified by its UUID.
    public static let vm = OwnedObject.Kind(rawValue: "vm")
}

/// The Vagrant boxes' base VMs: shared by labs, never one lab's to delete.
extension VirtualBoxProvider: BaseImageManaging {
    public func baseImages(records: [LabRecord]) throws(VBoxLabError) -> [SharedBase] {
        try bases(records: records).map { SharedBase(name: $0.vm.name, id: $0.vm.uuid, labs: $0.labs) }
    }
}
