import VBoxLabModel

/// What kind of system vboxlab runs on. The spec, the solver, VirtualBox, ssh and check
/// work on any POSIX system; network namespaces and the switch exist only on Linux, so a
/// provider built on them is offered only where this says so.
public enum Platform {
    #if os(Linux)
        public static let isLinux = true
    #else
        public static let isLinux = false
    #endif

    /// The system's name as messages and `--version` may show it.
    public static var name: String {
        #if os(Linux)
            return "Linux"
        #elseif os(macOS)
            return "macOS"
        #else
            return "POSIX"
        #endif
    }
}
