import VBoxLabHost
import VBoxLabModel

/// VirtualBox's VMs run on this host with the memory and vCPUs of their spec.
extension VirtualBoxProvider: MachineHosting {}
