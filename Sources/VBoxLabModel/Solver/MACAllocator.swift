/// Derives MACs that are stable across runs (a hash of lab, VM and slot, not a
/// counter or a random number) and never collide inside a lab (probe on collision,
/// in spec order, skipping every MAC the spec fixes).
struct MACAllocator {
    /// VirtualBox's own OUI, as its NICs get by default.
    static let virtualBoxPrefix: UInt64 = 0x08_00_27 << 24
    private var used: Set<MACAddress>

    init(reserved: Set<MACAddress>) { used = reserved }

    /// 08:00:27:xx:xx:xx: a MAC that VirtualBox could have given.
    mutating func registered(_ key: String) -> MACAddress {
        allocate(key) { Self.virtualBoxPrefix | ($0 & 0xFF_FFFF) }
    }

    /// 02:xx:xx:xx:xx:xx: locally administered, so it can never be a vendor MAC of a real host.
    mutating func local(_ key: String) -> MACAddress {
        allocate(key) { 0x02_00_0000_0000 | ($0 & 0xFF_FFFF_FFFF) }
    }

    private mutating func allocate(_ key: String, shape: (UInt64) -> UInt64) -> MACAddress {
        var attempt = 0
        while true {
            let mac = MACAddress(shape(fnv1a(attempt == 0 ? key : "\(key)#\(attempt)")))
            if !mac.isZero, used.insert(mac).inserted { return mac }
            attempt += 1
        }
    }
}
