import Foundation
import VBoxLabModel

/// How to tell that a program's work is done while the program has not exited yet.
///
/// VBoxManage (7.x) can sit 10 s in its own exit after its call is made: a lost wake-up in
/// its XPCOM shutdown (Tests/README). Its exit status is not known until then, so the only
/// honest way past that wait is to look at what the call was to do: a clone listed, a VM
/// running, a read made again. `check` does that look; it answers the result to use in the
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
    /// Runs `command` on a thread of its own and returns its result, or, once it has run
    /// `settled.after` seconds, the first result `settled.check` answers. A program passed
    /// over that way is still read to its end and reaped by its thread, and an interrupt
    /// still stops it (it stays in the undo log's children until it is reaped).
    public func run(_ command: Command, settled: SettledCheck) throws(VBoxLabError) -> CommandResult {
        let outcome = Locked<Result<CommandResult, VBoxLabError>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let runner = self
        Thread.detachNewThread {
            let result = Result { () throws(VBoxLabError) in try runner.run(command) }
            outcome.set(result)
            finished.signal()
        }
        var wait = settled.after
        while true {
            if finished.wait(timeout: .now() + wait) == .success, let result = outcome.get() {
                return try result.get()
            }
            if undo?.refusesNewWork == true {
                // Interrupted: the program is being stopped; its own result says how it ended.
                finished.wait()
                return try outcome.get()!.get()
            }
            if let done = settled.check() { return done }
            wait = settled.every
        }
    }
}
