/// An IPv4 interface address with its prefix, as a spec writes it: `1.1.1.10/24`.
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
    public let address: UInt32
    public let prefix: Int

    public init(address: UInt32, prefix: Int) {
        precondition((0...32).contains(prefix))
        self.address = address
        self.prefix = prefix
    }

    /// Strict: four decimal octets without leading zeros, then `/0`..`/32`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4CIDR.parseAddress(String(parts[0])),
            let prefix = IPv4CIDR.parseDecimal(parts[1], max: 32)
        else { return nil }
        self.init(address: address, prefix: prefix)
    }

    public static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for o in octets {
            guard let b = parseDecimal(o, max: 255) else { return nil }
            value = value << 8 | UInt32(b)
        }
        return value
    }

    private static func parseDecimal(_ s: Substring, max: Int) -> Int? {
        guard !s.isEmpty, s.count <= 3, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber),
            s == "0" || !s.hasPrefix("0"), let v = Int(s), v <= max
        else { return nil }
        return v
    }

    public var mask: UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }
    public var network: UInt32 { address & mask }
    public var broadcastAddress: UInt32 { network | ~mask }
    /// The address without its prefix: what `ping` takes.
    public var ip: String { IPv4CIDR.format(address) }
    public var description: String { "\(ip)/\(prefix)" }

    /// True when both addresses lie in one subnet, judged by both prefixes, as two hosts would.
    public func sharesSubnet(with other: IPv4CIDR) -> Bool {
        prefix == other.prefix && network == other.network
    }

    /// An address that a host cannot use: the network or broadcast address of a /0../30.
    public var isNetworkOrBroadcast: Bool {
        prefix <= 30 && (address == network || address == broadcastAddress)
    }

    /// Why this cannot be the address of a NIC or bridge in a lab, as the end of a sentence
    /// that starts with the address; nil when it can. Each of these validated before and
    /// gave a lab whose pings could never work.
    var endpointProblem: String? {
        if prefix == 0 { return "has prefix /0, which puts every address in one subnet; use /1 to /32" }
        switch address >> 24 {
        case 0: return "is in 0.0.0.0/8 (\"this network\"), not a host address"
        case 127: return "is in 127.0.0.0/8, the loopback range, not an address on a network"
        case 224...239: return "is in 224.0.0.0/4, the multicast range, not a host address"
        default: break
        }
        if address == UInt32.max { return "is the limited broadcast address, not a host address" }
        if isNetworkOrBroadcast {
            return "is the \(address == network ? "network" : "broadcast") address of its subnet, not a host address"
        }
        return nil
    }

    public static func format(_ a: UInt32) -> String {
        "\(a >> 24).\(a >> 16 & 0xFF).\(a >> 8 & 0xFF).\(a & 0xFF)"
    }
}
