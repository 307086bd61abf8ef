import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// `ip neigh flush all` over a route netlink socket made in the namespace: every neighbour
/// entry is listed, then each one deleted, except the permanent and no-ARP ones, as `ip`
/// leaves them.
public enum NeighbourFlush {
    // From linux/netlink.h, linux/rtnetlink.h and linux/neighbour.h.
    static let newNeigh: UInt16 = 28
    static let getNeigh: UInt16 = 30
    static let delNeigh: UInt16 = 29
    static let done: UInt16 = 3
    static let error: UInt16 = 2
    static let request: UInt16 = 1
    static let dump: UInt16 = 0x300
    static let attributeDestination: UInt16 = 1
    /// NUD_PERMANENT | NUD_NOARP
    static let kept: UInt16 = 0x80 | 0x40

    /// A route netlink socket in the calling thread's namespace, or -1.
    public static func socket() -> Int32 {
        let fd = Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Deletes the namespace's neighbour entries; false when the kernel did not answer.
    public static func flush(_ fd: Int32) -> Bool {
        guard let entries = list(fd) else { return false }
        for entry in entries {
            let body =
                ndmsg(family: entry.family, index: entry.index)
                + attribute(type: attributeDestination, value: entry.destination)
            let message = header(length: 16 + body.count, type: delNeigh, flags: request) + body
            guard message.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == message.count else {
                return false
            }
        }
        return true
    }

    struct Entry {
        var family: UInt8
        var index: Int32
        var destination: [UInt8]
    }

    /// Every neighbour entry to delete, from one dump.
    static func list(_ fd: Int32) -> [Entry]? {
        let message = header(length: 16 + 12, type: getNeigh, flags: request | dump) + ndmsg(family: 0, index: 0)
        guard message.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == message.count else { return nil }
        var entries: [Entry] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            var at = 0
            while at + 16 <= n {
                let length = Int(u32(buffer, at))
                let type = u16(buffer, at + 4)
                guard length >= 16, at + length <= n else { return nil }
                if type == done { return entries }
                if type == error { return nil }
                if type == newNeigh, let e = entry(buffer, from: at + 16, to: at + length) { entries.append(e) }
                at += (length + 3) & ~3
            }
        }
    }

    /// One RTM_NEWNEIGH's entry, or nil for one `ip` would keep.
    static func entry(_ b: [UInt8], from start: Int, to end: Int) -> Entry? {
        guard end - start >= 12 else { return nil }
        let state = u16(b, start + 8)
        guard state & kept == 0 else { return nil }
        var at = start + 12
        while at + 4 <= end {
            let length = Int(u16(b, at))
            guard length >= 4, at + length <= end else { return nil }
            if u16(b, at + 2) == attributeDestination {
                return Entry(
                    family: b[start], index: Int32(bitPattern: u32(b, start + 4)),
                    destination: Array(b[(at + 4)..<(at + length)]))
            }
            at += (length + 3) & ~3
        }
        return nil
    }

    static func header(length: Int, type: UInt16, flags: UInt16) -> [UInt8] {
        bytes(UInt32(length)) + bytes(type) + bytes(flags) + bytes(UInt32(1)) + bytes(UInt32(0))
    }

    static func ndmsg(family: UInt8, index: Int32) -> [UInt8] {
        [family, 0, 0, 0] + bytes(UInt32(bitPattern: index)) + [0, 0, 0, 0]
    }

    static func attribute(type: UInt16, value: [UInt8]) -> [UInt8] {
        let padded = value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        return bytes(UInt16(4 + value.count)) + bytes(type) + padded
    }

    // Netlink's numbers are in the host's byte order.
    static func bytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 {
        b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: UInt16.self) }
    }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: UInt32.self) }
    }
}
