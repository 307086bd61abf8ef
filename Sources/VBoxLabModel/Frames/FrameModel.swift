/// How a frame crosses a lab: VirtualBox's registering switch on every internal
/// network and a learning Linux bridge in every
/// bridging guest. Pure: a `LabState` in, traces out.
public struct FrameModel: Sendable {
    public let state: LabState
    private var nicsOnNetwork: [String: [NICRef]] = [:]
    private var nicByRef: [NICRef: NICState] = [:]
    private var running: [String: Bool] = [:]

    public init(_ state: LabState) {
        self.state = state
        for vm in state.vms {
            running[vm.name] = vm.running
            for nic in vm.nics {
                let ref = NICRef(vm: vm.name, slot: nic.slot)
                nicsOnNetwork[nic.network, default: []].append(ref)
                nicByRef[ref] = nic
            }
        }
    }

    /// Pings `to` from `from`: ARP request, ARP reply, echo request, echo reply. Stops at the first frame lost.
    public func ping(from: EndpointRef, to: EndpointRef, target: IPv4CIDR) -> PingTrace {
        var trace = PingTrace(from: from, to: to, frames: [])
        guard let fromMac = mac(of: from), let toMac = mac(of: to) else { return trace }
        var learned: [BridgeRef: [MACAddress: NICRef]] = [:]
        let frames = [
            Frame(kind: .arpRequest, source: fromMac, destination: .broadcast),
            Frame(kind: .arpReply, source: toMac, destination: fromMac),
            Frame(kind: .echoRequest, source: fromMac, destination: toMac),
            Frame(kind: .echoReply, source: toMac, destination: fromMac),
        ]
        for frame in frames {
            let isRequest = frame.kind == .arpRequest || frame.kind == .echoRequest
            let (sender, receiver) = isRequest ? (from, to) : (to, from)
            let t = send(frame, from: sender, to: receiver, target: target, learned: &learned)
            trace.frames.append(t)
            if !t.delivered { break }
        }
        return trace
    }

    /// The MAC an endpoint sends from.
    public func mac(of endpoint: EndpointRef) -> MACAddress? {
        switch endpoint {
        case .nic(let n): return nicByRef[n]?.guestMac
        case .bridge(let b): return state.vm(b.vm)?.bridge(b.name)?.mac
        }
    }

    fileprivate enum Place: Hashable {
        case network(String, sender: NICRef?)
        case nic(NICRef)
        case bridge(BridgeRef, from: NICRef?)
    }

    private func send(
        _ frame: Frame, from: EndpointRef, to: EndpointRef, target: IPv4CIDR,
        learned: inout [BridgeRef: [MACAddress: NICRef]]
    ) -> FrameTrace {
        var walk = FrameWalk(frame: frame, to: to, target: target)
        switch from {
        case .nic(let n):
            walk.hops.append(.sent(from: from, network: nicByRef[n]?.network))
            if let nic = nicByRef[n], nic.linkUp, nic.interface != nil {
                walk.push(.network(nic.network, sender: n), 0)
            } else {
                walk.drop(.linkDown(n), n.vm, 0)
            }
        case .bridge(let b):
            walk.hops.append(.sent(from: from, network: nil))
            walk.push(.bridge(b, from: nil), 0)
        }
        var head = 0
        while head < walk.queue.count {
            let (place, depth) = walk.queue[head]
            head += 1
            switch place {
            case .network(let network, let sender): visitNetwork(network, sender: sender, depth: depth, &walk)
            case .nic(let ref): visitNIC(ref, depth: depth, &walk)
            case .bridge(let b, let inPort): visitBridge(b, inPort: inPort, depth: depth, learned: &learned, &walk)
            }
        }
        // The drop deepest along the frame's way is the one nearest its destination.
        let loss = walk.delivered ? nil : walk.drops.max { $0.depth < $1.depth }?.0
        return FrameTrace(frame: frame, hops: walk.hops, delivered: walk.delivered, loss: loss)
    }

    /// The frame on an internal network: the switch hands it to the NICs that receive it.
    private func visitNetwork(_ network: String, sender: NICRef?, depth: Int, _ walk: inout FrameWalk) {
        let frame = walk.frame
        let receivers = switchReceivers(frame, network: network, sender: sender)
        if receivers.isEmpty {
            if !frame.destination.isMulticast {
                walk.drop(whyNoReceiver(frame, network: network, sender: sender), network, depth)
            }
            return
        }
        walk.hops.append(.switched(network: network, to: receivers))
        for r in receivers { walk.push(.nic(r), depth + 1) }
    }

    /// The frame at a guest NIC: up to the guest's bridge, or taken by the guest if it is for it.
    private func visitNIC(_ ref: NICRef, depth: Int, _ walk: inout FrameWalk) {
        let nic = nicByRef[ref]!
        let frame = walk.frame
        guard nic.linkUp, nic.interface != nil else {
            walk.drop(.linkDown(ref), ref.vm, depth)
            return
        }
        if let bridgeName = nic.bridge {
            let b = BridgeRef(vm: ref.vm, name: bridgeName)
            if state.vm(ref.vm)?.bridge(bridgeName)?.up == true {
                walk.push(.bridge(b, from: ref), depth + 1)
            } else {
                walk.drop(.bridgeDown(b), ref.vm, depth)
            }
            return
        }
        guard frame.destination.isMulticast || frame.destination == nic.guestMac else {
            walk.drop(.guestFilter(ref), ref.vm, depth)
            return
        }
        if isTarget(.nic(ref), frame: frame, to: walk.to, target: walk.target) {
            walk.hops.append(.delivered(.nic(ref)))
            walk.delivered = true
        }
    }

    /// The frame in a guest's learning bridge: taken as local, or forwarded out of its ports.
    private func visitBridge(
        _ b: BridgeRef, inPort: NICRef?, depth: Int, learned: inout [BridgeRef: [MACAddress: NICRef]],
        _ walk: inout FrameWalk
    ) {
        let frame = walk.frame
        guard let bridge = state.vm(b.vm)?.bridge(b.name), bridge.up else {
            walk.drop(.bridgeDown(b), b.vm, depth)
            return
        }
        let ports = state.vm(b.vm)!.nics.filter { $0.bridge == b.name }.map { NICRef(vm: b.vm, slot: $0.slot) }
        if let inPort { learned[b, default: [:]][frame.source] = inPort }
        // A port's MAC is a local address of the bridge: checked first, since a bridge
        // without a MAC of its own carries one of its ports'.
        let clashPort =
            frame.destination.isMulticast ? nil : ports.first { nicByRef[$0]?.guestMac == frame.destination }
        let local = frame.destination.isMulticast || frame.destination == bridge.mac || clashPort != nil
        if local && inPort != nil {
            if isTarget(.bridge(b), frame: frame, to: walk.to, target: walk.target) {
                walk.hops.append(.delivered(.bridge(b)))
                walk.delivered = true
            } else if !frame.destination.isMulticast {
                if let clashPort {
                    walk.drop(.bridgeLocal(b, port: clashPort), b.vm, depth)
                } else {
                    walk.drop(.notForBridge(b), b.vm, depth)
                }
            }
            if !frame.destination.isMulticast { return }
        }
        var out = ports.filter { $0 != inPort }
        if !frame.destination.isMulticast, let known = learned[b]?[frame.destination] {
            out = known == inPort ? [] : [known]
        }
        let sending = out.filter { nicByRef[$0]!.linkUp && nicByRef[$0]!.interface != nil }
        if let inPort { walk.hops.append(.bridged(b, from: inPort, out: sending)) }
        for p in sending { walk.push(.network(nicByRef[p]!.network, sender: p), depth + 1) }
    }

    /// VirtualBox's switch: broadcast to every other NIC; unicast to the NIC registered
    /// with the destination, and to NICs whose policy allows promiscuity and whose guest is promiscuous.
    private func switchReceivers(_ frame: Frame, network: String, sender: NICRef?) -> [NICRef] {
        nicsOnNetwork[network, default: []].filter { ref in
            guard ref != sender, running[ref.vm] == true, let nic = nicByRef[ref] else { return false }
            if frame.destination.isMulticast || nic.registeredMac == frame.destination { return true }
            return nic.promisc.receivesAll && nic.bridge != nil && nic.linkUp
        }
    }

    private func whyNoReceiver(_ frame: Frame, network: String, sender: NICRef?) -> Drop {
        let others = nicsOnNetwork[network, default: []].filter { $0 != sender }
        if let down = others.first(where: { nicByRef[$0]!.registeredMac == frame.destination && running[$0.vm] != true }
        ) {
            return .vmDown(vm: down.vm, network: network)
        }
        if let idle = others.first(where: { nicByRef[$0]!.promisc.receivesAll && running[$0.vm] == true }) {
            return .notPromiscuousInGuest(idle, network: network)
        }
        return .unregistered(network: network)
    }

    /// Whether this endpoint is the one the frame is for: the holder of the target address
    /// for the ARP and echo requests, the pinging endpoint for the replies.
    private func isTarget(_ endpoint: EndpointRef, frame: Frame, to: EndpointRef, target: IPv4CIDR) -> Bool {
        guard endpoint == to else { return false }
        switch frame.kind {
        case .arpRequest, .echoRequest: return addresses(of: endpoint).contains { $0.address == target.address }
        case .arpReply, .echoReply: return true
        }
    }

    private func addresses(of endpoint: EndpointRef) -> [IPv4CIDR] {
        switch endpoint {
        case .nic(let n): return nicByRef[n]?.addresses ?? []
        case .bridge(let b): return state.vm(b.vm)?.bridge(b.name)?.addresses ?? []
        }
    }
}

/// One frame's way through the lab, breadth first: where it is still to go, where it went,
/// and where it was dropped (with how far along its way each drop was).
private struct FrameWalk {
    let frame: Frame
    let to: EndpointRef
    let target: IPv4CIDR
    var hops: [Hop] = []
    var drops: [(Drop, depth: Int)] = []
    var delivered = false
    var queue: [(FrameModel.Place, Int)] = []
    var seen = Set<FrameModel.Place>()

    init(frame: Frame, to: EndpointRef, target: IPv4CIDR) {
        self.frame = frame
        self.to = to
        self.target = target
    }

    mutating func push(_ p: FrameModel.Place, _ depth: Int) { if seen.insert(p).inserted { queue.append((p, depth)) } }
    mutating func drop(_ d: Drop, _ at: String, _ depth: Int) {
        hops.append(.dropped(d, at: at))
        drops.append((d, depth))
    }
}
