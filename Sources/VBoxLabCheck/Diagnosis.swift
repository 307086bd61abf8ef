import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Why a pair fails, as `check` names it in text and JSON (the `cause` field).
public enum FailureCause: String, Sendable, CaseIterable {
    case unregisteredMac = "unregistered-mac"
    case guestMacClash = "guest-mac-clash"
    case vmDown = "vm-down"
    case guestNotSetUp = "guest-not-set-up"
    /// vboxlab could not reach a guest of the pair (ssh refused, timed out, key refused):
    /// nothing is guessed about that guest's interfaces.
    case unreachable
    /// The two addresses share a subnet, but the spec joins their networks by no bridge.
    case noPath = "no-path"
    case unknown
}

public struct Diagnosis: Sendable, Equatable {
    public var cause: FailureCause
    public var reason: String
    /// The model's view of the ping, hop by hop (absent when the model could not run).
    public var trace: PingTrace?
    /// The guest that could not be reached, for `unreachable`.
    public var unreachableVM: String? = nil
    /// Where the model loses the frame, for comparing with a capture.
    public var place: LossPlace? = nil
    /// The NIC that must take the lost frame for it to go on: for `unregistered-mac`, the
    /// bridge port on the dropping network behind which the addressee lies; for
    /// `guest-mac-clash`, the port that still carries the addressee's MAC in the guest.
    public var port: PortHint? = nil
}

/// A bridge port a diagnosis points at, with what a report says about it.
public struct PortHint: Sendable, Equatable, Hashable {
    public var nic: NICRef
    public var bridge: String
    public var network: String
    /// The lost frame's destination, and whose MAC it is.
    public var mac: MACAddress
    public var owner: String
    /// The VMs of the endpoints behind the port, in lab order.
    public var behind: [String]
    /// How many endpoints lie behind it: with one, registering its MAC serves; with more,
    /// only a promiscuous port does (a NIC is registered with one MAC).
    public var endpointsBehind: Int

    /// "centos-2 slot 3, the port of br0 on intnet-2"
    public var name: String { "\(nic.vm) slot \(nic.slot), the port of \(bridge) on \(network)" }
}

/// Explains a failed ping by running the frame model over the lab as observed, and
/// naming the first frame that is lost, where, and the rule that dropped it.
public struct Diagnoser: Sendable {
    public let observed: LabState
    public let plan: RegistrationPlan
    let model: FrameModel

    let segments: Segments
    let ports: PortsBehind

    public init(observed: LabState, plan: RegistrationPlan) {
        // A VM that is not running keeps its NICs on the internal networks (VirtualBox shows
        // them on a powered-off VM); where the system cannot show them (a namespace gone),
        // the plan's stand in, so a frame meant for that VM is lost to `vm-down`.
        var state = observed
        for i in state.vms.indices where !state.vms[i].running && state.vms[i].nics.isEmpty {
            state.vms[i].nics = plan.nics(of: state.vms[i].name).map { n in
                NICState(
                    slot: n.slot, network: n.network, registeredMac: n.mac, promisc: n.promisc, interface: nil,
                    guestMac: nil, linkUp: false, addresses: [], bridge: nil)
            }
        }
        self.observed = state
        self.plan = plan
        model = FrameModel(state)
        segments = Segments(plan: plan)
        ports = PortsBehind(plan: plan)
    }

    /// The model's verdict for a pair, whatever the ping said.
    public func trace(_ pair: PingPair) -> PingTrace? {
        guard let from = holder(of: pair.from), let to = holder(of: pair.to) else { return nil }
        return model.ping(from: from, to: to, target: pair.to.address)
    }

    public func diagnose(_ pair: PingPair, pinged ok: Bool) -> Diagnosis? {
        // The spec's topology first: no setup or registration makes a frame cross a gap.
        let from = segments.network(of: pair.from)
        let to = segments.network(of: pair.to)
        if !ok && !segments.joined(from, to) {
            return Diagnosis(
                cause: .noPath,
                reason:
                    "\(pair.from.vm) (\(from)) and \(pair.to.vm) (\(to)) share subnet "
                    + "\(IPv4CIDR.format(pair.to.address.network))/\(pair.to.address.prefix), but no bridge joins "
                    + "\(from) to \(to): the spec gives no layer-2 path between them",
                trace: nil)
        }
        for end in [pair.from, pair.to] {
            guard let vm = observed.vm(end.vm), vm.running else {
                return Diagnosis(
                    cause: .vmDown, reason: "\(end.vm) is not running, so \(end.address.ip) cannot answer or ask",
                    trace: nil)
            }
            if holder(of: end) == nil {
                return Diagnosis(
                    cause: .guestNotSetUp,
                    reason: "\(end.vm) has no interface with \(end.address) (the plan puts it on \(where_(end)))",
                    trace: nil, place: .vm(end.vm))
            }
        }
        guard let t = trace(pair) else { return nil }
        if ok { return nil }
        guard let lost = t.lost else {
            return Diagnosis(
                cause: .unknown,
                reason:
                    "the ping from \(pair.from.address.ip) to \(pair.to.address.ip) failed, but the model of the lab "
                    + "as observed delivers all four frames; look for a firewall, a stale neighbour entry or a kernel "
                    + "drop",
                trace: t)
        }
        return explain(lost, pair: pair, trace: t)
    }

    /// The first thing the plan gives a guest that the guest lacks: a bridge, a port, a link.
    func missingSetup() -> (vm: String, text: String)? {
        for b in plan.bridges {
            guard let vm = observed.vm(b.vm), vm.running else { continue }
            guard let seen = vm.bridge(b.name) else {
                return (
                    b.vm,
                    "\(b.vm) has no bridge \(b.name) (the plan bridges slots "
                        + "\(b.portSlots.map(String.init).joined(separator: ", ")))"
                )
            }
            if !seen.up { return (b.vm, "\(b.vm)'s bridge \(b.name) is down") }
            for slot in b.portSlots {
                let ref = NICRef(vm: b.vm, slot: slot)
                if let nic = observed.nic(ref), nic.bridge != b.name {
                    return (b.vm, "\(b.vm)'s \(label(ref)) is not a port of \(b.name)")
                }
            }
        }
        for n in plan.nics {
            if let nic = observed.nic(n.ref), observed.vm(n.vm)?.running == true, !nic.linkUp {
                return (n.vm, "\(n.vm)'s \(label(n.ref)) is down")
            }
        }
        return nil
    }

    /// Who holds an address now, in the observed lab.
    func holder(of a: LabAddress) -> EndpointRef? {
        observed.addresses.first { $0.owner.vm == a.vm && $0.address == a.address }?.owner
    }

    /// The VM whose endpoint sends from this MAC by the plan (or as observed).
    func owner(of mac: MACAddress) -> String {
        if let n = plan.nics.first(where: { $0.ip != nil && $0.guestMac == mac }) { return n.vm }
        if let b = plan.bridges.first(where: { $0.mac == mac }) { return "\(b.vm) \(b.name)" }
        if let (vm, _) = observed.allNICs.first(where: { $0.nic.guestMac == mac }) { return vm.name }
        return "no lab host"
    }

    /// The endpoint that sends from a MAC by the plan.
    func endpoint(sending mac: MACAddress) -> EndpointRef? {
        if let n = plan.nics.first(where: { $0.ip != nil && $0.guestMac == mac }) { return .nic(n.ref) }
        return plan.bridges.first { $0.mac == mac }.map { .bridge(BridgeRef(vm: $0.vm, name: $0.name)) }
    }

    func hint(_ port: NICRef, mac: MACAddress) -> PortHint {
        var vms: [String] = []
        let endpoints = ports.endpoints(behind: port)
        for e in endpoints where !vms.contains(e.vm) { vms.append(e.vm) }
        return PortHint(
            nic: port, bridge: plan.nic(port)?.bridge ?? "?", network: plan.nic(port)?.network ?? "?", mac: mac,
            owner: owner(of: mac), behind: vms, endpointsBehind: endpoints.count)
    }

    func label(_ nic: NICRef) -> String { observed.nic(nic)?.label ?? "slot \(nic.slot)" }

    private func where_(_ a: LabAddress) -> String {
        switch a.endpoint {
        case .nic(let n): return "\(plan.nic(n)?.interface ?? GuestInterfaceName.forSlot(n.slot)), slot \(n.slot)"
        case .bridge(let b): return "bridge \(b.name)"
        }
    }
}
