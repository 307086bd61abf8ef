import Foundation
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// The frame the model lost, explained: dropped on the switch, lost in a guest, or lost
/// where no rule of the model drops it.
extension Diagnoser {
    /// Why the frame the model lost was lost, in words, with where and what fixes it.
    func explain(_ lost: FrameTrace, pair: PingPair, trace: PingTrace) -> Diagnosis {
        let isRequest = lost.frame.kind == .arpRequest || lost.frame.kind == .echoRequest
        let sender = isRequest ? pair.from.vm : pair.to.vm
        let dst = lost.frame.destination
        let what =
            dst.isBroadcast
            ? "\(sender)'s \(lost.frame.kind.rawValue) for \(pair.to.address.ip)"
            : "\(sender)'s \(lost.frame.kind.rawValue) to \(dst) (\(owner(of: dst)))"
        let lossOf = LossOf(sender: sender, destination: dst, pair: pair, trace: trace, what: what)
        guard let drop = lost.loss else { return unexplained(lost, lossOf) }
        return onTheSwitch(drop, lossOf) ?? inTheGuest(drop, lossOf)
    }

    /// The frame that was lost, as the reasons name it.
    fileprivate struct LossOf {
        let sender: String
        let destination: MACAddress
        let pair: PingPair
        let trace: PingTrace
        /// "centos-3's arp-reply to 08:00:27:… (centos-1 slot 2)".
        let what: String

        func diagnosis(_ cause: FailureCause, _ reason: String, _ place: LossPlace? = nil) -> Diagnosis {
            Diagnosis(cause: cause, reason: reason, trace: trace, place: place)
        }
    }

    /// Drops on an internal network: no registration, a VM down, a port not bridged.
    private func onTheSwitch(_ drop: Drop, _ l: LossOf) -> Diagnosis? {
        switch drop {
        case .unregistered(let network):
            var out = l.diagnosis(
                .unregisteredMac,
                "\(l.what) is dropped on \(network): no NIC there is registered with that MAC and none may be "
                    + "promiscuous",
                .network(network))
            out.port = endpoint(sending: l.destination).flatMap { e in
                ports.port(on: network, toward: e).map { hint($0, mac: l.destination) }
            }
            return out
        case .vmDown(let vm, let network):
            return l.diagnosis(
                .vmDown,
                "\(l.what) is dropped on \(network): the NIC registered with that MAC belongs to \(vm), which is not "
                    + "running",
                .network(network))
        case .notPromiscuousInGuest(let nic, let network):
            return l.diagnosis(
                .guestNotSetUp,
                "\(l.what) is dropped on \(network): \(nic.vm)'s \(label(nic)) may be promiscuous but is no bridge "
                    + "port in the guest",
                .network(network))
        default:
            return nil
        }
    }

    /// Drops inside a guest: a link down, a filter, a bridge that takes the frame as its own.
    private func inTheGuest(_ drop: Drop, _ l: LossOf) -> Diagnosis {
        switch drop {
        case .linkDown(let nic):
            let i = observed.nic(nic)
            let state = i?.interface == nil ? "has no interface for slot \(nic.slot)" : "has \(label(nic)) down"
            return l.diagnosis(
                .guestNotSetUp, "\(l.what) is lost in \(nic.vm): it \(state) (\(i?.network ?? "?"))",
                nic.vm == l.sender ? .vm(nic.vm) : .network(i?.network ?? ""))
        case .guestFilter(let nic):
            if let planned = plan.nic(nic), let bridge = planned.bridge {
                return l.diagnosis(
                    .guestNotSetUp,
                    "\(l.what) reaches \(nic.vm)'s \(label(nic)) and is dropped there: \(label(nic)) is not a port "
                        + "of bridge \(bridge), which the plan makes it",
                    .vm(nic.vm))
            }
            return l.diagnosis(
                .guestNotSetUp,
                "\(l.what) reaches \(nic.vm)'s \(label(nic)) and is dropped there: it carries MAC "
                    + "\(observed.nic(nic)?.guestMac?.description ?? "none"), not \(l.destination)",
                .vm(nic.vm))
        case .bridgeLocal(let b, let port):
            let planned = plan.nic(port)?.guestMac.description ?? "another, locally administered MAC"
            var out = l.diagnosis(
                .guestMacClash,
                "\(l.what) is taken by \(b.vm)'s bridge \(b.name) as its own: its port \(label(port)) still carries "
                    + "\(l.destination) (\(owner(of: l.destination))) inside the guest; give the port \(planned)",
                .vm(b.vm))
            out.port = hint(port, mac: l.destination)
            return out
        case .notForBridge(let b):
            return l.diagnosis(
                .guestNotSetUp,
                "\(l.what) reaches \(b.vm)'s bridge \(b.name), which does not hold \(l.pair.to.address.ip)",
                .vm(b.vm))
        case .bridgeDown(let b):
            let exists = observed.vm(b.vm)?.bridge(b.name) != nil
            return l.diagnosis(
                .guestNotSetUp, "\(l.what) is lost in \(b.vm): bridge \(b.name) \(exists ? "is down" : "is missing")",
                .vm(b.vm))
        case .unregistered, .vmDown, .notPromiscuousInGuest:
            return onTheSwitch(drop, l)!
        }
    }

    /// No rule of the model dropped the frame: a bridge's VM down, setup missing, no ARP answer.
    private func unexplained(_ lost: FrameTrace, _ l: LossOf) -> Diagnosis {
        if let down = plan.bridges.first(where: { observed.vm($0.vm)?.running == false }) {
            return l.diagnosis(
                .vmDown,
                "\(l.what) goes no further: \(down.vm), whose bridge \(down.name) carries frames between its "
                    + "networks, is not running",
                .vm(down.vm))
        }
        if let missing = missingSetup() {
            return l.diagnosis(.guestNotSetUp, "\(l.what) goes no further: \(missing.text)", .vm(missing.vm))
        }
        if lost.frame.kind == .arpRequest {
            return l.diagnosis(
                .guestNotSetUp,
                "\(l.what) reaches no interface that holds \(l.pair.to.address.ip): \(l.pair.to.vm) does not answer "
                    + "ARP for it",
                .vm(l.pair.to.vm))
        }
        return l.diagnosis(.unknown, "\(l.what) is not delivered, and no rule of the model drops it")
    }
}
