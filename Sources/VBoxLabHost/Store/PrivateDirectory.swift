import Foundation
import VBoxLabModel

/// A directory only this user may use: the runtime directory (locks) and ssh's control
/// sockets. Such a directory under /tmp can be made first by anyone, with a socket of their
/// own inside, so it is checked, never assumed: made 0700 when missing; refused when it is
/// a symbolic link, belongs to another user, or others may write in it; tightened to 0700
/// when it is ours and only readable by others.
public enum PrivateDirectory {
    public static func ensure(_ path: String) throws(VBoxLabError) {
        var st = stat()
        if lstat(path, &st) != 0 {
            let parent = (path as NSString).deletingLastPathComponent
            // A parent that cannot be made makes the mkdir below fail, which says why.
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw .system(.cannotWrite(path: path, reason: String(cString: strerror(errno))))
            }
            guard lstat(path, &st) == 0 else {
                throw .system(.cannotWrite(path: path, reason: String(cString: strerror(errno))))
            }
        }
        if let refusal = refusal(st) { throw .system(.unsafeDirectory(path: path, reason: refusal)) }
        if st.st_mode & 0o077 != 0 { chmod(path, 0o700) }
    }

    /// Why a directory with this status is not safe to use, or nil.
    static func refusal(_ st: stat) -> String? {
        if st.st_mode & S_IFMT == S_IFLNK { return "it is a symbolic link" }
        if st.st_mode & S_IFMT != S_IFDIR { return "it is not a directory" }
        if st.st_uid != Privileges.effectiveUID {
            return "it belongs to \(owner(st.st_uid)), not to \(owner(Privileges.effectiveUID))"
        }
        if st.st_mode & 0o022 != 0 { return "others may write in it (mode \(String(st.st_mode & 0o777, radix: 8)))" }
        return nil
    }

    /// A user id as a name where the system knows one.
    static func owner(_ uid: UInt32) -> String {
        guard let pw = getpwuid(uid), let name = pw.pointee.pw_name else { return "uid \(uid)" }
        return "\(String(cString: name)) (uid \(uid))"
    }
}
