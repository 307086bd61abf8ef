import Foundation
import VBoxLabModel

/// What code below the lifecycle is given instead of the command's undo log: a step that
/// must be put right if it fails or a signal stops it, and a scratch path that must not
/// outlive the command. The log itself stays with the lifecycle, which runs it; a provider
/// says what a step's undo is and never registers, drops or runs an entry itself.
public struct Safeguards: Sendable {
    private let log: UndoLog

    public init(_ log: UndoLog) { self.log = log }

    /// For work outside a command (tests, helpers): a failed step is still undone and a
    /// scratch path still removed, but no signal handler runs this log.
    public static var standalone: Safeguards { Safeguards(UndoLog()) }

    /// Runs `body`; `undo` runs once if it fails, or from the signal handler if the command
    /// is stopped while it runs, and never after it returned.
    public func step<T, E: Error>(undo: @escaping @Sendable () -> Void, _ body: () throws(E) -> T) throws(E) -> T {
        let entry = log.push(undo)
        do {
            let value = try body()
            log.drop(entry)
            return value
        } catch {
            log.run(entry)
            throw error
        }
    }

    /// Runs `body`, which writes `path` (a partial download, an unpack not yet renamed into
    /// place); whatever is left at `path` afterwards, or when a signal stops the command, goes.
    public func scratch<T, E: Error>(_ path: String, _ body: () throws(E) -> T) throws(E) -> T {
        // Best effort by design: a scratch path already gone (renamed into place) is the aim.
        let entry = log.push { try? FileManager.default.removeItem(atPath: path) }
        defer { log.run(entry) }
        return try body()
    }
}
