import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// One source's pings: from `source`, an IPv4 address inside the network namespace whose
/// file is `namespace`, to each of `targets`.
public struct EchoProbe: Sendable, Equatable {
    public var namespace: String
    public var source: String
    public var targets: [String]

    public init(namespace: String, source: String, targets: [String]) {
        self.namespace = namespace
        self.source = source
        self.targets = targets
    }
}

/// ICMP echo from inside many namespaces, from this one process: the kernel's work (ARP and
/// echo for every pair) without a program started per source. Each source sends from a raw
/// ICMP socket made in its namespace and bound to its address, as `fping -S` does; every
/// neighbour table is flushed first, as `ip neigh flush all` would. Needs root.
public enum EchoProbes {
    /// Whether each probe's targets answered, in order; nil when a socket could not be made
    /// for a reason of this process's (not root, out of descriptors): the caller pings with
    /// programs instead. A probe whose namespace is gone, or whose source address is not in
    /// it, answers nothing. A target not answered within `waitMs` is asked
    /// again `retries` times, each wait half as long again, as fping's backoff.
    public static func run(_ probes: [EchoProbe], waitMs: Int, retries: Int) -> [[Bool]]? {
        guard !probes.isEmpty else { return [] }
        // A target is known by its echo sequence number.
        guard probes.allSatisfy({ $0.targets.count <= 65536 }) else { return nil }
        let namespaces = Array(Set(probes.map(\.namespace))).sorted()
        // Each namespace's probes, by index.
        let members = namespaces.map { ns in probes.indices.filter { probes[$0].namespace == ns } }
        FileLimit.raise(toAtLeast: probes.count + 256)
        let made = NamespaceSockets.make(in: namespaces) { i -> [Int32] in
            // The neighbour table first, then a socket for each of the namespace's probes.
            let netlink = NeighbourFlush.socket()
            guard netlink >= 0 else { return [] }
            defer { close(netlink) }
            guard NeighbourFlush.flush(netlink) else { return [] }
            return members[i].map { EchoSocket.open(bound: probes[$0].source) }
        }
        var sockets = [Int32](repeating: -EBADF, count: probes.count)
        for (i, fds) in made.enumerated() { for (p, fd) in zip(members[i], fds ?? []) { sockets[p] = fd } }
        defer { for fd in sockets where fd >= 0 { close(fd) } }
        // A source whose namespace is gone, or that lacks its address, answers nothing, as
        // fping's would; any other missing socket is this process's lack (descriptors,
        // memory), not the VM's: the caller pings with programs instead.
        for (p, fd) in sockets.enumerated() where fd < 0 {
            let gone = !FileManager.default.fileExists(atPath: probes[p].namespace)
            if !gone && fd != -EADDRNOTAVAIL { return nil }
        }
        // Shares of the sources, one per core: a send's ARP flood is the sending thread's work.
        let shares = max(1, min(ProcessInfo.processInfo.activeProcessorCount, probes.count))
        let answered = Locked(probes.map { [Bool](repeating: false, count: $0.targets.count) })
        let base = UInt16(truncatingIfNeeded: getpid() &* 7919)
        let fds = sockets
        DispatchQueue.concurrentPerform(iterations: shares) { share in
            let mine = probes.indices.filter { $0 % shares == share && fds[$0] >= 0 }
            let round = EchoRound(
                probes: mine.map { (fds[$0], probes[$0].targets, base &+ UInt16(truncatingIfNeeded: $0)) })
            let got = round.run(waitMs: waitMs, retries: retries)
            answered.update { all in for (k, p) in mine.enumerated() { all[p] = got[k] } }
        }
        return answered.get()
    }
}

/// A raw ICMP socket that hears only echo replies.
enum EchoSocket {
    /// The socket, or the error number negated.
    static func open(bound source: String) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_ICMP))
        guard fd >= 0 else { return -errno }
        // ICMP_FILTER (SOL_RAW 255, option 1): a set bit drops that type; all but echo reply.
        var filter = ~UInt32(1)
        setsockopt(fd, 255, 1, &filter, socklen_t(MemoryLayout<UInt32>.size))
        // Room for a reply from every target, and for every echo queued behind its ARP.
        var room: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &room, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &room, socklen_t(MemoryLayout<Int32>.size))
        guard var addr = address(source) else {
            close(fd)
            return -EINVAL
        }
        guard bindTo(fd, &addr) else {
            let failure = errno
            close(fd)
            return -failure
        }
        return fd
    }

    static func address(_ ip: String) -> sockaddr_in? {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, ip, &addr.sin_addr) == 1 else { return nil }
        return addr
    }

    private static func bindTo(_ fd: Int32, _ addr: inout sockaddr_in) -> Bool {
        withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
