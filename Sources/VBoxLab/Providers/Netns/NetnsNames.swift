/// Names of everything the netns provider creates. Each namespace carries the `vbl-`
/// prefix and the lab's name; since two labs' names can still meet (`vbl-rb-x-sw` is
/// lab `rb`'s VM `x-sw` and lab `rb-x`'s switch), ownership is never read from a name:
/// the lab record keeps each namespace's identity (`NetnsHost.identity`).
public struct NetnsNames: Sendable {
    public let lab: String
    public init(lab: String) { self.lab = lab }

    public static let prefix = "vbl-"

    /// The namespace that plays the VM.
    public func vmNamespace(_ vm: String) -> String { "\(Self.prefix)\(lab)-\(vm)" }
    /// The namespace holding one bridge per internal network: VirtualBox's switch.
    public var switchNamespace: String { "\(Self.prefix)\(lab)-sw" }
    /// The switch bridge of the network with this index.
    public func switchBridge(_ index: Int) -> String { "vs\(index)" }

    /// The switch-side end of a NIC's veth, unique in the switch namespace; kept under
    /// the kernel's 15-byte limit by a stable hash when `VM-SLOT` would be longer. The
    /// hashed form starts with `+`, which VM names cannot, so it never meets a plain one.
    public func switchPort(_ nic: NICRef) -> String {
        let plain = "\(nic.vm)-\(nic.slot)"
        if plain.utf8.count <= 15 { return plain }
        let hash = String(fnv1a("\(nic.vm)/\(nic.slot)") & 0xFFFF_FFFF, radix: 16)
        return "+" + String(repeating: "0", count: 8 - hash.count) + hash + "-\(nic.slot)"
    }

    /// The port alias that lets `status` map a switch port back to its NIC.
    public func portAlias(_ nic: NICRef) -> String { "\(nic.vm)/\(nic.slot)" }
    public static func parsePortAlias(_ alias: String) -> NICRef? {
        guard let cut = alias.lastIndex(of: "/"), let slot = Int(alias[alias.index(after: cut)...]) else { return nil }
        return NICRef(vm: String(alias[..<cut]), slot: slot)
    }
}
