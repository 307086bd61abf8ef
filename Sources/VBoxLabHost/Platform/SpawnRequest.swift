import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One `posix_spawn` call being prepared: the child's descriptors, signal state and
/// process group. Glibc declares the file actions and attributes as structs, Darwin as
/// opaque pointers; that difference stays here, and the C objects live at addresses that
/// do not move while the C library holds on to them.
final class SpawnRequest {
    #if canImport(Darwin)
        private typealias FileActions = posix_spawn_file_actions_t?
        private typealias Attributes = posix_spawnattr_t?
        private static var noActions: FileActions { nil }
        private static var noAttributes: Attributes { nil }
    #else
        private typealias FileActions = posix_spawn_file_actions_t
        private typealias Attributes = posix_spawnattr_t
        private static var noActions: FileActions { FileActions() }
        private static var noAttributes: Attributes { Attributes() }
    #endif

    private let actions = UnsafeMutablePointer<FileActions>.allocate(capacity: 1)
    private let attributes = UnsafeMutablePointer<Attributes>.allocate(capacity: 1)
    private var flags: Int32 = 0

    init() {
        actions.initialize(to: SpawnRequest.noActions)
        attributes.initialize(to: SpawnRequest.noAttributes)
        posix_spawn_file_actions_init(actions)
        posix_spawnattr_init(attributes)
    }

    deinit {
        posix_spawn_file_actions_destroy(actions)
        posix_spawnattr_destroy(attributes)
        actions.deallocate()
        attributes.deallocate()
    }

    /// The child gets `fd` as its descriptor `target` (a pipe end as its standard input).
    func duplicate(_ fd: Int32, as target: Int32) {
        posix_spawn_file_actions_adddup2(actions, fd, target)
    }

    /// The child gets no descriptor of this process but those it was given (0, 1, 2): a
    /// child that outlives the command (a daemonized QEMU, ssh's shared connection) must not
    /// hold another program's pipe, or whoever reads that pipe waits for its end as long as
    /// the child lives (a caller's `$(vboxlab ...)`, or a test runner reading vboxlab's output).
    /// Close-on-exec covers the descriptors vboxlab opens; this covers those it inherited or
    /// that a library opened without it.
    func closeOthers() {
        #if canImport(Darwin)
            flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
            if let addCloseFrom = SpawnRequest.addCloseFrom { _ = addCloseFrom(actions, 3) }
        #endif
    }

    #if !canImport(Darwin)
        /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 on), which its headers
        /// declare only for `_GNU_SOURCE`: looked up once; nil on an older glibc.
        private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<FileActions>, Int32) -> Int32
        private static let addCloseFrom: AddCloseFrom? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
            else { return nil }
            return unsafeBitCast(symbol, to: AddCloseFrom.self)
        }()
    #endif

    /// The child starts with default dispositions and an empty mask, whatever this
    /// process ignores or blocks (vboxlab ignores SIGPIPE, SIGINT and SIGTERM itself).
    func defaultSignals() {
        var all = sigset_t()
        var none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(attributes, &all)
        posix_spawnattr_setsigmask(attributes, &none)
        flags |= Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
    }

    /// The child leads a process group of its own, so it can be stopped together with
    /// everything it starts (see `ProcessGroup`).
    func ownProcessGroup() {
        posix_spawnattr_setpgroup(attributes, 0)
        flags |= Int32(POSIX_SPAWN_SETPGROUP)
    }

    /// Starts `path`. The child inherits this process's environment, with `extra` on
    /// top when there is any. Answers the child's pid, or the error number.
    func spawn(path: String, arguments: [String], extra: [String: String]) -> Result<pid_t, SpawnError> {
        posix_spawnattr_setflags(attributes, Int16(truncatingIfNeeded: flags))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc: Int32
        if extra.isEmpty {
            rc = posix_spawn(&child, path, actions, attributes, argv, SpawnRequest.inheritedEnvironment)
        } else {
            var merged = ProcessInfo.processInfo.environment
            for (k, v) in extra { merged[k] = v }
            let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            rc = posix_spawn(&child, path, actions, attributes, argv, envp)
        }
        return rc == 0 ? .success(child) : .failure(SpawnError(code: rc))
    }

    /// This process's environment as the C library keeps it: Glibc exports `environ`,
    /// Darwin hands it out through a function (a shared library cannot see `environ`).
    private static var inheritedEnvironment: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        #if canImport(Darwin)
            return _NSGetEnviron().pointee
        #else
            return environ
        #endif
    }
}

/// Why `posix_spawn` failed, as an errno value.
struct SpawnError: Error {
    let code: Int32
}
