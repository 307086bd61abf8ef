/// An Ethernet MAC address. Printed in lower-case colon form (`08:00:27:43:19:35`),
/// the form the plan and `status` use; `bareUpperHex` for tools that want it without colons.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The 48 bits, first octet in the most significant position.
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    public init(octets: [UInt8]) {
        precondition(octets.count == 6)
        self.init(octets.reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// Accepts `080027AABBCC`, `08:00:27:aa:bb:cc` and `08-00-27-AA-BB-CC`, case-insensitively.
    public init?(_ text: String) {
        var hex = text
        if text.count == 17 {
            let seps = Set(text.enumerated().filter { $0.offset % 3 == 2 }.map(\.element))
            guard seps == [":"] || seps == ["-"] else { return nil }
            hex = String(text.enumerated().filter { $0.offset % 3 != 2 }.map(\.element))
        }
        guard hex.count == 12, hex.allSatisfy(\.isHexDigit), let v = UInt64(hex, radix: 16) else { return nil }
        self.init(v)
    }

    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)

    public var octets: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * $0)) } }
    /// Bit 0 of the first octet: group address (multicast or broadcast).
    public var isMulticast: Bool { (value >> 40) & 0x01 != 0 }
    /// Bit 1 of the first octet: locally administered, never assigned by a vendor.
    public var isLocallyAdministered: Bool { (value >> 40) & 0x02 != 0 }
    public var isZero: Bool { value == 0 }
    public var isBroadcast: Bool { self == .broadcast }

    public var description: String { hexDigits(separator: UInt8(ascii: ":"), upper: false) }
    /// 12 upper-case hex digits, no separators: the form hypervisors' command lines take.
    public var bareUpperHex: String { hexDigits(separator: nil, upper: true) }

    /// Written byte by byte: plans print a MAC several times per NIC, for labs of 100,000 VMs.
    private func hexDigits(separator: UInt8?, upper: Bool) -> String {
        let digits: [UInt8] = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = []
        out.reserveCapacity(17)
        for k in 0..<6 {
            if k > 0, let separator { out.append(separator) }
            let byte = Int(value >> UInt64(40 - 8 * k) & 0xFF)
            out.append(digits[byte >> 4])
            out.append(digits[byte & 0xF])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.value < b.value }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let mac = MACAddress(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a MAC address: \(text)"))
        }
        self = mac
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
