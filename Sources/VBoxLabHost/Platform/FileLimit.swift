import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// This process's limit on open files, raised (its soft limit, up to the hard one) for work
/// that holds a descriptor per VM at once, such as the check's sockets of a large lab.
public enum FileLimit {
    public static func raise(toAtLeast wanted: Int) {
        var limit = rlimit()
        #if canImport(Glibc)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < rlim_t(wanted) else { return }
        limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
        // Where it cannot be raised, a socket that cannot be made sends the check to programs.
        _ = setrlimit(resource, &limit)
    }
}
