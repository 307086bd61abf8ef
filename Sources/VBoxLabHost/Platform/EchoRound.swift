import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// The echoes of some sources, sent and heard on one thread: every unanswered target is
/// sent one echo request, then replies are read until all answered or the round's wait is
/// over; then again for those still silent.
struct EchoRound {
    /// Each source's socket, targets and echo identifier.
    var probes: [(fd: Int32, targets: [String], ident: UInt16)]

    func run(waitMs: Int, retries: Int) -> [[Bool]] {
        var answered = probes.map { [Bool](repeating: false, count: $0.targets.count) }
        let addresses = probes.map { $0.targets.map { EchoSocket.address($0) } }
        var wait = Double(waitMs) / 1000
        for _ in 0...max(0, retries) {
            var left = 0
            for (p, probe) in probes.enumerated() {
                for (t, addr) in addresses[p].enumerated() where !answered[p][t] {
                    guard let addr else { continue }
                    left += 1
                    send(probe.fd, to: addr, ident: probe.ident, sequence: UInt16(truncatingIfNeeded: t))
                }
            }
            guard left > 0 else { break }
            listen(until: Date().addingTimeInterval(wait), answered: &answered, addresses: addresses, left: &left)
            wait *= 1.5
        }
        return answered
    }

    private func listen(
        until deadline: Date, answered: inout [[Bool]], addresses: [[sockaddr_in?]], left: inout Int
    ) {
        var fds = probes.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 512)
        while left > 0 {
            let ms = Int32(deadline.timeIntervalSinceNow * 1000)
            guard ms > 0 else { return }
            for i in fds.indices { fds[i].revents = 0 }
            guard poll(&fds, nfds_t(fds.count), ms) > 0 else { continue }
            for (p, f) in fds.enumerated() where f.revents & Int16(POLLIN) != 0 {
                while true {
                    let n = buffer.withUnsafeMutableBytes { recv(f.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    guard n > 0 else { break }
                    guard let (from, ident, sequence) = Self.reply(buffer, count: n), ident == probes[p].ident else {
                        continue
                    }
                    let t = Int(sequence)
                    guard t < answered[p].count, !answered[p][t], addresses[p][t]?.sin_addr.s_addr == from else {
                        continue
                    }
                    answered[p][t] = true
                    left -= 1
                }
            }
        }
    }

    /// An echo reply's sender, identifier and sequence, from the IP packet a raw socket reads.
    static func reply(_ b: [UInt8], count n: Int) -> (from: UInt32, ident: UInt16, sequence: UInt16)? {
        guard n >= 20 else { return nil }
        let header = Int(b[0] & 0x0F) * 4
        guard header >= 20, n >= header + 8, b[header] == 0 else { return nil }
        let from = b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self) }
        let ident = UInt16(b[header + 4]) << 8 | UInt16(b[header + 5])
        let sequence = UInt16(b[header + 6]) << 8 | UInt16(b[header + 7])
        return (from, ident, sequence)
    }

    /// An echo request: type 8, its checksum, identifier and sequence, and 56 bytes as ping sends.
    static func request(ident: UInt16, sequence: UInt16) -> [UInt8] {
        var packet: [UInt8] = [
            8, 0, 0, 0, UInt8(ident >> 8), UInt8(ident & 0xFF), UInt8(sequence >> 8), UInt8(sequence & 0xFF),
        ]
        packet += [UInt8](repeating: 0, count: 56)
        var sum: UInt32 = 0
        for i in stride(from: 0, to: packet.count, by: 2) { sum += UInt32(packet[i]) << 8 | UInt32(packet[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let check = ~UInt16(sum)
        packet[2] = UInt8(check >> 8)
        packet[3] = UInt8(check & 0xFF)
        return packet
    }

    private func send(_ fd: Int32, to addr: sockaddr_in, ident: UInt16, sequence: UInt16) {
        let packet = Self.request(ident: ident, sequence: sequence)
        var addr = addr
        _ = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                packet.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, 0, sa, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}
