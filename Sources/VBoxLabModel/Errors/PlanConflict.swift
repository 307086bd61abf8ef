/// A port that mac-swap cannot serve: a registered MAC receives frames for one MAC only.
public struct PlanConflict: Sendable, Equatable, CustomStringConvertible {
    public var vm: String
    public var slot: Int
    public var network: String
    public var bridge: String
    public var count: Int
    /// Who lies behind the port (a VM or a bridge, in words) and the MAC of each: a sample of `count`.
    public var behind: [(holder: String, mac: String)]

    public init(
        vm: String, slot: Int, network: String, bridge: String, count: Int, behind: [(holder: String, mac: String)]
    ) {
        self.vm = vm
        self.slot = slot
        self.network = network
        self.bridge = bridge
        self.count = count
        self.behind = behind
    }

    public static func == (a: PlanConflict, b: PlanConflict) -> Bool {
        (a.vm, a.slot, a.network, a.bridge, a.count) == (b.vm, b.slot, b.network, b.bridge, b.count)
            && a.behind.map(\.holder) == b.behind.map(\.holder) && a.behind.map(\.mac) == b.behind.map(\.mac)
    }

    public var description: String {
        let named = behind.map { "\($0.mac) (\($0.holder))" }.joined(separator: ", ")
        let more = count > behind.count ? " and \(count - behind.count) more" : ""
        return
            "mac-swap cannot serve \(vm) slot \(slot) on \(network) (port of \(bridge)): \(count) MACs lie behind "
            + "it, \(named)\(more), and a registered MAC receives frames for one; use --strategy auto (promiscuous "
            + "there) or promisc"
    }
}
