import VBoxLabHost
import VBoxLabModel

/// QEMU's VMs run on this host with the memory and vCPUs of their spec.
extension QemuProvider: MachineHosting {}
