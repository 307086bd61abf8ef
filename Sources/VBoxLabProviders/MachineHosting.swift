import VBoxLabHost
import VBoxLabModel

/// A provider capability: its VMs are machines on this host, each using the memory and
/// vCPUs its spec gives (VirtualBox, QEMU), so a lab is checked against what the host has
/// before any VM starts. A namespace uses neither, so netns does not adopt it.
public protocol MachineHosting: LabProvider {}
