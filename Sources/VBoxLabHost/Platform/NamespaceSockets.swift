import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// Sockets made inside other network namespaces of this host. A socket stays in the
/// namespace it was made in, so one process can talk from inside many namespaces at once
/// without starting a program in each. Entering a namespace (`setns`) changes only the
/// calling thread, so the sockets are made on a thread of their own, which then ends.
public enum NamespaceSockets {

    /// For each network namespace's file, what `make` made inside it: nil where the
    /// namespace could not be entered. `make` runs on one thread, namespace after namespace.
    public static func make<T: Sendable>(in paths: [String], _ make: @escaping @Sendable (Int) -> T?) -> [T?] {
        let out = Locked([T?](repeating: nil, count: paths.count))
        NamespaceCalls.onOwnThread {
            guard let setns = NamespaceCalls.setns else { return }
            let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            guard home >= 0 else { return }
            defer { close(home) }
            for (i, path) in paths.enumerated() where NamespaceCalls.enter(path, NamespaceCalls.newNet) {
                let made = make(i)
                out.update { $0[i] = made }
            }
            // Back home, so nothing else this thread might run lands in a lab's namespace;
            // the thread ends here anyway.
            _ = setns(home, NamespaceCalls.newNet)
        }
        return out.get()
    }
}

/// glibc's `setns` and `unshare`, which its headers declare only for `_GNU_SOURCE`, and
/// the namespace flags they take.
enum NamespaceCalls {
    typealias Call = @convention(c) (Int32, Int32) -> Int32
    typealias Unshare = @convention(c) (Int32) -> Int32
    static let setns: Call? = symbol("setns").map { unsafeBitCast($0, to: Call.self) }
    static let unshare: Unshare? = symbol("unshare").map { unsafeBitCast($0, to: Unshare.self) }
    static let newNet: Int32 = 0x4000_0000  // CLONE_NEWNET
    static let newUTS: Int32 = 0x0400_0000  // CLONE_NEWUTS
    static let newMount: Int32 = 0x0002_0000  // CLONE_NEWNS

    /// Moves the calling thread into the namespace whose file is `path` (`kind`: newNet,
    /// newUTS); false when it could not be opened or entered.
    static func enter(_ path: String, _ kind: Int32) -> Bool {
        guard let setns else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return setns(fd, kind) == 0
    }

    /// Runs `body` on a thread of its own and waits for it: what `body` enters stays with
    /// that thread, which ends with it.
    static func onOwnThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.start()
        done.wait()
    }

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
    }
}
