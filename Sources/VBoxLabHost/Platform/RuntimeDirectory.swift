import Foundation
import VBoxLabModel

/// The default directory for what lives only as long as the machine is up (lock files).
/// `$XDG_RUNTIME_DIR` wins everywhere when set, so tests and desktop sessions can point
/// vboxlab at a directory of their own.
enum RuntimeDirectory {
    static func path(environment env: [String: String], uid: UInt32 = Privileges.effectiveUID) -> String {
        if let r = env["XDG_RUNTIME_DIR"], r.hasPrefix("/") { return "\(r)/vboxlab" }
        #if os(Linux)
            // /run is a tmpfs only root may write; another user gets a directory of its own
            // in /tmp, named by uid so two users never share (or fight over) one.
            return uid == 0 ? "/run/vboxlab" : "/tmp/vboxlab-\(uid)"
        #else
            // macOS has no /run and no XDG session; its TMPDIR is already per user and is
            // emptied at boot, which is what a runtime directory needs.
            let tmp = env["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
            return "\(tmp.hasSuffix("/") ? String(tmp.dropLast()) : tmp)/vboxlab-\(uid)"
        #endif
    }
}
