import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// TCP ports on the host's loopback, for the forwards that reach guests' sshd.
public enum LocalPort {
    /// Whether nothing listens on `port` of 127.0.0.1: a bind there succeeds.
    public static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Sockets.stream, 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// The first port from `start` up that is free and not in `used`; past 65535 the search
    /// goes on from 2222.
    public static func free(from start: Int = 2222, avoiding used: Set<Int>) -> Int {
        var port = start
        while !(1...65535).contains(port) || used.contains(port) || !isFree(port) {
            port = (1..<65535).contains(port) ? port + 1 : 2222
        }
        return port
    }
}

/// A line-oriented conversation over a Unix stream socket, such as a VM monitor's
/// (QMP): each read waits at most `timeout` seconds, so a process that stopped answering
/// cannot hold the caller.
public final class UnixSocketSession {
    private let fd: Int32
    private var buffer = Data()

    /// nil when nothing listens at `path` (or the path does not fit a socket address).
    public init?(path: String, timeout: Double) {
        let fd = socket(AF_UNIX, Sockets.stream, 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            return nil
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        var tv = timeval()
        tv.tv_sec = .init(timeout)
        tv.tv_usec = .init((timeout - Double(Int(timeout))) * 1_000_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
        guard ok else {
            close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends `line` and a newline; false when the peer is gone.
    public func send(_ line: String) -> Bool {
        let data = Array((line + "\n").utf8)
        return data.withUnsafeBytes { raw in write(fd, raw.baseAddress, raw.count) == raw.count }
    }

    /// The next line, without its newline; nil on timeout or when the peer closed.
    public func readLine() -> String? {
        while true {
            if let cut = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<cut], as: UTF8.self)
                buffer = Data(buffer[buffer.index(after: cut)...])
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
