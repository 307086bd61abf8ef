import Foundation
import VBoxLabModel

/// Waiting for a child and reading how it ended, as a shell reports it: the exit status,
/// or 128 + the signal that ended it.
enum ExitStatus {
    /// Blocks until `pid` ends and reaps it.
    static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return shellStatus(status)
    }

    /// The wait status's layout (signal in the low 7 bits, exit code in the next 8) is the
    /// same on Linux and Darwin; Swift does not import the W* macros that would say so.
    static func shellStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
