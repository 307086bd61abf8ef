/// The lab as it is (read from VirtualBox or the kernel) or as a plan means it to be:
/// what the frame model runs over. Only what decides where a frame goes is here.
public struct LabState: Sendable, Equatable {
    public var lab: String
    public var vms: [VMState]

    public init(lab: String, vms: [VMState]) {
        self.lab = lab
        self.vms = vms
    }

    public func vm(_ name: String) -> VMState? { vms.first { $0.name == name } }
    public func nic(_ ref: NICRef) -> NICState? { vm(ref.vm)?.nics.first { $0.slot == ref.slot } }
    public var allNICs: [(vm: VMState, nic: NICState)] { vms.flatMap { vm in vm.nics.map { (vm, $0) } } }

    /// Every address the guests carry, with its owner, in VM order.
    public var addresses: [(address: IPv4CIDR, owner: EndpointRef)] {
        vms.flatMap { vm -> [(IPv4CIDR, EndpointRef)] in
            vm.nics.filter { $0.bridge == nil }.flatMap { nic in
                nic.addresses.map { ($0, EndpointRef.nic(NICRef(vm: vm.name, slot: nic.slot))) }
            }
                + vm.bridges.flatMap { b in
                    b.addresses.map { ($0, EndpointRef.bridge(BridgeRef(vm: vm.name, name: b.name))) }
                }
        }
    }
}

public struct VMState: Sendable, Equatable {
    public var name: String
    /// Powered on (VirtualBox) or its namespace exists (netns).
    public var running: Bool
    public var nics: [NICState]
    public var bridges: [BridgeState]
    public init(name: String, running: Bool, nics: [NICState], bridges: [BridgeState]) {
        self.name = name
        self.running = running
        self.nics = nics
        self.bridges = bridges
    }
    public func bridge(_ name: String) -> BridgeState? { bridges.first { $0.name == name } }
}

public struct NICState: Sendable, Equatable {
    public var slot: Int
    public var network: String
    /// What the switch delivers to: VirtualBox's `--macaddressN`, or the switch port's static fdb entry.
    public var registeredMac: MACAddress
    public var promisc: PromiscPolicy
    /// The guest's interface for this NIC; nil when the guest has none (or it was not found).
    public var interface: String?
    /// The MAC the guest interface carries (its receive filter and the source of what it sends).
    public var guestMac: MACAddress?
    public var linkUp: Bool
    public var addresses: [IPv4CIDR]
    /// The guest bridge this interface is a port of.
    public var bridge: String?

    public init(
        slot: Int, network: String, registeredMac: MACAddress, promisc: PromiscPolicy, interface: String?,
        guestMac: MACAddress?, linkUp: Bool, addresses: [IPv4CIDR], bridge: String?
    ) {
        self.slot = slot
        self.network = network
        self.registeredMac = registeredMac
        self.promisc = promisc
        self.interface = interface
        self.guestMac = guestMac
        self.linkUp = linkUp
        self.addresses = addresses
        self.bridge = bridge
    }

    /// How people know this NIC: its guest interface name, else its slot.
    public var label: String { interface ?? "slot \(slot)" }
}

public struct BridgeState: Sendable, Equatable {
    public var name: String
    public var mac: MACAddress
    public var up: Bool
    public var addresses: [IPv4CIDR]
    public init(name: String, mac: MACAddress, up: Bool, addresses: [IPv4CIDR]) {
        self.name = name
        self.mac = mac
        self.up = up
        self.addresses = addresses
    }
}

extension LabState {
    /// The lab as the plan means it: VMs running, guests set up. Interfaces get the
    /// names a VirtualBox Linux guest gives the slot unless the spec fixes one.
    public init(plan: RegistrationPlan) {
        let vms = plan.vmNames.map { name -> VMState in
            let nics = plan.nics(of: name).map { n in
                NICState(
                    slot: n.slot, network: n.network, registeredMac: n.mac, promisc: n.promisc,
                    interface: n.interface ?? GuestInterfaceName.forSlot(n.slot), guestMac: n.guestMac,
                    linkUp: true, addresses: n.ip.map { [$0] } ?? [], bridge: n.bridge)
            }
            let bridges = plan.bridges(of: name).map { b in
                // Linux gives a bridge without a set MAC the lowest MAC of its ports.
                let portMacs = nics.filter { $0.bridge == b.name }.compactMap(\.guestMac)
                return BridgeState(
                    name: b.name, mac: b.mac ?? portMacs.min() ?? MACAddress(0x02_00_00_00_00_01), up: true,
                    addresses: b.ip.map { [$0] } ?? [])
            }
            return VMState(name: name, running: true, nics: nics, bridges: bridges)
        }
        self.init(lab: plan.lab, vms: vms)
    }
}
