import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// UTS namespaces (a host name of their own) kept alive by a file bind-mounted on them, as
/// `unshare --uts=FILE hostname NAME` makes and `umount FILE` lets go, without a process
/// for each: on a thread of its own, which leaves each one it made and returns home.
public enum UTSNamespaceFiles {
    /// For each (file, host name): nil once a namespace with that name is held by the file
    /// (an existing, empty file), else what failed.
    public static func make(_ items: [(file: String, hostname: String)]) -> [String?] {
        let out = Locked([String?](repeating: "not tried", count: items.count))
        NamespaceCalls.onOwnThread {
            guard let setns = NamespaceCalls.setns, let unshare = NamespaceCalls.unshare else { return }
            let home = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC)
            guard home >= 0 else { return }
            defer { close(home) }
            for (i, item) in items.enumerated() {
                let failure = hold(item.file, hostname: item.hostname, unshare: unshare)
                out.update { $0[i] = failure }
                // Each namespace is made from the host's, as a fresh `unshare` would.
                guard setns(home, NamespaceCalls.newUTS) == 0 else { return }
            }
        }
        return out.get()
    }

    private static func hold(_ file: String, hostname: String, unshare: NamespaceCalls.Unshare) -> String? {
        guard unshare(NamespaceCalls.newUTS) == 0 else { return "unshare: \(String(cString: strerror(errno)))" }
        let named = hostname.withCString { sethostname($0, strlen($0)) }
        guard named == 0 else { return "sethostname: \(String(cString: strerror(errno)))" }
        guard mount("/proc/thread-self/ns/uts", file, nil, UInt(MS_BIND), nil) == 0 else {
            return "mount --bind on \(file): \(String(cString: strerror(errno)))"
        }
        return nil
    }

    /// Unmounts `file`; nil when done, else why not.
    public static func release(_ file: String) -> String? {
        umount2(file, 0) == 0 ? nil : "umount \(file): \(String(cString: strerror(errno)))"
    }
}
