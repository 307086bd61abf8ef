/// Names of everything the netns provider creates. Each carries the `vbl-` prefix
/// and the lab's name, so two labs never collide and `destroy` removes one lab only.
public struct NetnsNames: Sendable {
    public let lab: String
    public init(lab: String) { self.lab = lab }

    /// The namespace that plays the VM.
    public func vmNamespace(_ vm: String) -> String { "vbl-\(lab)-\(vm)" }
    /// The namespace holding one bridge per internal network: VirtualBox's switch.
    public var switchNamespace: String { "vbl-\(lab)-sw" }
    /// The switch bridge of the network with this index.
    public func switchBridge(_ index: Int) -> String { "vs\(index)" }

    /// The switch-side end of a NIC's veth, unique in the switch namespace; kept under
    /// the kernel's 15-byte limit by a stable hash when `VM-SLOT` would be longer.
    public func switchPort(_ nic: NICRef) -> String {
        let plain = "\(nic.vm)-\(nic.slot)"
        if plain.utf8.count <= 15 { return plain }
        let hash = String(fnv1a("\(nic.vm)/\(nic.slot)") & 0xFFFF_FFFF, radix: 16)
        return "p" + String(repeating: "0", count: 8 - hash.count) + hash + "-\(nic.slot)"
    }

    /// The port alias that lets `status` map a switch port back to its NIC.
    public func portAlias(_ nic: NICRef) -> String { "\(nic.vm)/\(nic.slot)" }
    public static func parsePortAlias(_ alias: String) -> NICRef? {
        guard let cut = alias.lastIndex(of: "/"), let slot = Int(alias[alias.index(after: cut)...]) else { return nil }
        return NICRef(vm: String(alias[..<cut]), slot: slot)
    }
}
