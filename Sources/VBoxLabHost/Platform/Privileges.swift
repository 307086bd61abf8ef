import Foundation
import VBoxLabModel

/// Who this process acts as. Root decides where the runtime directory is by default and
/// whether network namespaces can be made at all.
public enum Privileges {
    /// The effective user id, the one the kernel checks permissions against.
    public static var effectiveUID: UInt32 { UInt32(geteuid()) }

    /// The real user id: stays the invoking user's under a set-uid wrapper, so per-user
    /// names built from it do not collide between users.
    public static var realUID: UInt32 { UInt32(getuid()) }

    public static var isRoot: Bool { geteuid() == 0 }
}
