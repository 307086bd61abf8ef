import VBoxLabHost
import VBoxLabModel

/// Where a port's link comes from.
public enum PortLink: Sendable, Equatable {
    /// A veth pair made in the switch namespace; its other end, `peer`, is made directly
    /// in `namespace` carrying `address` (a namespace playing a VM).
    case veth(peer: String, namespace: String, address: MACAddress)
    /// A link that already exists in the root namespace, such as the tap of a VM's NIC:
    /// moved into the switch namespace and renamed to the port's name on the way.
    case existing(String)
}

/// One port as the plan wants it: the NIC it serves, its network, the MAC registered
/// for it (its one static fdb entry) and its promiscuous policy (flooding or not).
public struct SwitchPort: Sendable, Equatable {
    public var nic: NICRef
    public var network: String
    public var registered: MACAddress
    public var policy: PromiscPolicy
    public var link: PortLink

    public init(nic: NICRef, network: String, registered: MACAddress, policy: PromiscPolicy, link: PortLink) {
        self.nic = nic
        self.network = network
        self.registered = registered
        self.policy = policy
        self.link = link
    }

    /// A planned NIC's port, fed by `link`.
    public init(_ nic: PlannedNIC, link: PortLink) {
        self.init(nic: nic.ref, network: nic.network, registered: nic.mac, policy: nic.promisc, link: link)
    }

    /// A policy other than deny floods unknown unicast to the port: the NIC receives
    /// frames for MACs other than its own.
    public var flood: Bool { policy.receivesAll }
}
