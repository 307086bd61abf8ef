/// VirtualBox's promiscuous-mode policy for a NIC (`--nicpromiscN`).
public enum PromiscPolicy: String, Sendable, Codable, CaseIterable {
    case deny
    case allowVMs = "allow-vms"
    case allowAll = "allow-all"
    /// Whether the switch gives this NIC frames for MACs other than its own.
    public var receivesAll: Bool { self != .deny }
}

/// Why a NIC gets what the plan gives it; rendered for people by `PlanTable`.
public enum NICRole: Sendable, Equatable {
    /// Owns an address; keeps its own MAC.
    case endpoint
    /// Neither an address nor a bridge port.
    case idle
    /// A bridge port with nothing behind it.
    case emptyPort
    /// mac-swap: registered with the MAC of the one endpoint behind the port.
    case swapped(EndpointRef)
    /// Promiscuous: `count` endpoints behind the port, the first few named.
    case promiscuous(count: Int, sample: [EndpointRef])
    /// strategy none: a port left as VirtualBox makes it.
    case unchanged(count: Int, sample: [EndpointRef])
}

/// What one lab NIC must look like: in VirtualBox (`mac`, `promisc`) and in the guest (`guestMac`).
public struct PlannedNIC: Sendable, Equatable {
    public var vm: String
    public var slot: Int
    public var network: String
    /// Registered in VirtualBox (`--macaddressN`).
    public var mac: MACAddress
    public var promisc: PromiscPolicy
    /// Carried by the guest interface once set up.
    public var guestMac: MACAddress
    /// The bridge this NIC is a port of.
    public var bridge: String?
    /// The NIC's own MAC (spec-fixed or derived): what a default VirtualBox VM would have.
    public var ownMac: MACAddress
    public var ip: IPv4CIDR?
    /// A guest interface name fixed in the spec.
    public var interface: String?
    public var role: NICRole

    public var ref: NICRef { NICRef(vm: vm, slot: slot) }
}

public struct PlannedBridge: Sendable, Equatable {
    public var vm: String
    public var name: String
    /// The bridge device's MAC when it has an address; nil otherwise.
    public var mac: MACAddress?
    public var ip: IPv4CIDR?
    /// Slots of its port NICs, in the spec's port order.
    public var portSlots: [Int]
    public var stp: Bool
}

/// The solver's answer: every lab NIC once, every bridge once.
public struct RegistrationPlan: Sendable, Equatable {
    public var lab: String
    public var strategy: Strategy
    public var nics: [PlannedNIC]
    public var bridges: [PlannedBridge]

    public func nic(_ ref: NICRef) -> PlannedNIC? { nics.first { $0.vm == ref.vm && $0.slot == ref.slot } }
    public func nics(of vm: String) -> [PlannedNIC] { nics.filter { $0.vm == vm } }
    public func bridges(of vm: String) -> [PlannedBridge] { bridges.filter { $0.vm == vm } }
    public var vmNames: [String] {
        var seen = Set<String>()
        var out: [String] = []
        for n in nics where seen.insert(n.vm).inserted { out.append(n.vm) }
        for b in bridges where seen.insert(b.vm).inserted { out.append(b.vm) }
        return out
    }
}
