import Foundation
import VBoxLabModel

/// How to tell that a program's work is done while the program has not exited yet.
///
/// A program can sit seconds in its own exit after its work is done (a provider's management
/// tool does, 10 s now and then; Tests/README). Its exit status is not known until then, so
/// the only honest way past that wait is to look at what the call was to do: the thing made,
/// or the same read made again. `check` does that look; it answers the result to use in the
/// program's place, or nil while the work is not there yet and the program is waited for.
public struct SettledCheck: Sendable {
    /// Seconds the program runs before the first look, and between looks.
    public var after: Double
    public var every: Double
    public var check: @Sendable () -> CommandResult?

    public init(after: Double, every: Double, check: @escaping @Sendable () -> CommandResult?) {
        self.after = after
        self.every = every
        self.check = check
    }
}

extension CommandRunner {
    /// A runner that cannot leave a program behind (a recorder, a test's script) just runs it.
    public func run(_ command: Command, settled: SettledCheck) throws(VBoxLabError) -> CommandResult {
        try run(command)
    }
}

extension ProcessRunner {
    /// Runs `command` on a thread of its own, and from `settled.after` seconds on, one look at
    /// a time on another; the first answer wins: the program's result, or a look's. A look
    /// that is slow (a long read) never delays the program's own result. A program passed
    /// over is still read to its end and reaped by its thread, and an interrupt still stops
    /// it (it stays in the undo log's children until it is reaped).
    public func run(_ command: Command, settled: SettledCheck) throws(VBoxLabError) -> CommandResult {
        let answer = Locked<Result<CommandResult, VBoxLabError>?>(nil)
        let looking = Locked(false)
        let news = DispatchSemaphore(value: 0)
        let runner = self
        // The threads work for the caller: an undo's programs stay an undo's, which an
        // interrupt lets run (UndoLog.refusesNewWork asks the thread).
        let asUndo = UndoLog.isUndoThread
        func detach(_ body: @escaping @Sendable () -> Void) {
            Thread.detachNewThread { if asUndo { UndoLog.asUndo(body) } else { body() } }
        }
        detach {
            let result = Result { () throws(VBoxLabError) in try runner.run(command) }
            answer.update { if $0 == nil { $0 = result } }
            news.signal()
        }
        var nextLook = Date().addingTimeInterval(settled.after)
        while true {
            // A look under way, or an interrupt (the program is being stopped, and its own
            // result says how it ended): only news can change anything.
            if looking.get() || undo?.refusesNewWork == true {
                news.wait()
            } else {
                _ = news.wait(timeout: .now() + max(0, nextLook.timeIntervalSinceNow))
            }
            if let result = answer.get() { return try result.get() }
            guard Date() >= nextLook, !looking.get(), undo?.refusesNewWork != true else { continue }
            looking.set(true)
            nextLook = Date().addingTimeInterval(settled.every)
            detach {
                if let seen = settled.check() { answer.update { if $0 == nil { $0 = .success(seen) } } }
                looking.set(false)
                news.signal()
            }
        }
    }
}
