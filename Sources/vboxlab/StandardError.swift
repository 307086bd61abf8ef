import Foundation

/// stderr for people: progress, warnings and errors. Written with write(2), whose failure is
/// dropped: a reader that has gone (`vboxlab create LAB 2>&1 | head -1`) must not end the
/// command half-way, as FileHandle's write does (it traps on EPIPE). The work goes on, or
/// is undone, as it would with stderr open.
enum StandardError {
    static func emit(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
