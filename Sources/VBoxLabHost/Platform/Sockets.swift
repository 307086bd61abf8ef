import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// Socket constants that the C libraries spell differently: Glibc imports the socket
/// types as an enum, Darwin as plain integers.
enum Sockets {
    static var stream: Int32 {
        #if canImport(Glibc)
            return Int32(SOCK_STREAM.rawValue)
        #else
            return SOCK_STREAM
        #endif
    }
}
