/// The four frames of one ping, in the order they must cross the lab.
public enum FrameKind: String, Sendable, CaseIterable {
    case arpRequest = "ARP request"
    case arpReply = "ARP reply"
    case echoRequest = "echo request"
    case echoReply = "echo reply"
}

public struct Frame: Sendable, Equatable {
    public var kind: FrameKind
    public var source: MACAddress
    public var destination: MACAddress
}

/// Why a copy of a frame went no further: each case is one rule of the switch or the guest.
public enum Drop: Sendable, Equatable {
    /// Unicast that no NIC on the internal network is registered with, and no NIC there may be promiscuous.
    case unregistered(network: String)
    /// The only NIC that would take it belongs to a VM that is not running.
    case vmDown(vm: String, network: String)
    /// A NIC whose policy lets it be promiscuous, but whose guest interface is not (no bridge over it).
    case notPromiscuousInGuest(NICRef, network: String)
    /// The guest interface is down, or the guest has no interface for the NIC.
    case linkDown(NICRef)
    /// The guest interface is not promiscuous and the frame is not for its MAC.
    case guestFilter(NICRef)
    /// The guest bridge holds the destination as one of its own MACs (a port's MAC)
    /// and takes the frame for itself instead of forwarding it.
    case bridgeLocal(BridgeRef, port: NICRef)
    /// It reached the bridge device, which does not hold the address asked for.
    case notForBridge(BridgeRef)
    /// A guest bridge that is down.
    case bridgeDown(BridgeRef)
}

extension Drop: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unregistered(let n):
            return "no NIC on \(n) is registered with the destination MAC, and none may be promiscuous"
        case .vmDown(let vm, let n):
            return "the NIC on \(n) registered with the destination belongs to \(vm), which is not running"
        case .notPromiscuousInGuest(let nic, let n):
            return "\(nic.vm) slot \(nic.slot) on \(n) may be promiscuous, but its guest interface is no bridge port"
        case .linkDown(let nic): return "\(nic.vm) slot \(nic.slot) has no interface up in the guest"
        case .guestFilter(let nic):
            return "\(nic.vm) slot \(nic.slot) is not promiscuous and the frame is not for its MAC"
        case .bridgeLocal(let b, let port):
            return "\(b) holds the destination as the MAC of its port (slot \(port.slot)) and keeps the frame"
        case .notForBridge(let b): return "\(b) does not hold the address asked for"
        case .bridgeDown(let b): return "bridge \(b) is missing or down"
        }
    }
}

/// One step of a frame through the lab, for `check --pair`'s trace.
public enum Hop: Sendable, Equatable {
    case sent(from: EndpointRef, network: String?)
    case switched(network: String, to: [NICRef])
    case bridged(BridgeRef, from: NICRef, out: [NICRef])
    case delivered(EndpointRef)
    case dropped(Drop, at: String)
}

/// What became of one frame.
public struct FrameTrace: Sendable, Equatable {
    public var frame: Frame
    public var hops: [Hop]
    public var delivered: Bool
    /// The drop that explains why it was not delivered: the one nearest its destination.
    public var loss: Drop?
}

/// A ping between two addresses as the model sees it.
public struct PingTrace: Sendable, Equatable {
    public var from: EndpointRef
    public var to: EndpointRef
    public var frames: [FrameTrace]
    public var ok: Bool { frames.count == FrameKind.allCases.count && frames.allSatisfy(\.delivered) }
    /// The first frame that did not arrive.
    public var lost: FrameTrace? { frames.first { !$0.delivered } }
}
