import VBoxLabHost
import VBoxLabModel

/// Names inside a lab's registering switch. Every port is named after its NIC, whatever
/// link it was made from (a veth end, a tap renamed on its way in), so that capture and
/// repair can find a NIC's port by name alone.
public struct SwitchNames: Sendable {
    public let lab: String
    public init(lab: String) { self.lab = lab }

    /// Everything vboxlab makes in a host's namespace list starts with it.
    public static let prefix = "vbl-"

    /// The namespace holding one bridge per internal network.
    public var namespace: String { "\(Self.prefix)\(lab)-sw" }
    /// The bridge of the network with this index.
    public func bridge(_ index: Int) -> String { "vs\(index)" }

    /// A NIC's port, unique in the switch namespace; kept under the kernel's 15-byte
    /// limit by a stable hash when `VM-SLOT` would be longer. The hashed form starts
    /// with `+`, which VM names cannot, so it never meets a plain one.
    public func port(_ nic: NICRef) -> String {
        let plain = "\(nic.vm)-\(nic.slot)"
        if plain.utf8.count <= 15 { return plain }
        let hash = String(fnv1a("\(nic.vm)/\(nic.slot)") & 0xFFFF_FFFF, radix: 16)
        return "+" + String(repeating: "0", count: 8 - hash.count) + hash + "-\(nic.slot)"
    }

    /// The port's alias, which maps it back to its NIC when the switch is read
    /// (a hashed name cannot be reversed).
    public func portAlias(_ nic: NICRef) -> String { "\(nic.vm)/\(nic.slot)" }
    public static func parsePortAlias(_ alias: String) -> NICRef? {
        guard let cut = alias.lastIndex(of: "/"), let slot = Int(alias[alias.index(after: cut)...]) else { return nil }
        return NICRef(vm: String(alias[..<cut]), slot: slot)
    }
}
