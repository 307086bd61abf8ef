import Foundation
import VBoxLabModel

/// Undo work registered while a command builds something, run on failure and on
/// SIGINT/SIGTERM, so a failed `create` leaves nothing of its own behind; and whether a
/// signal has asked the command to stop. One per command: the executable makes it, installs
/// the signal handlers on it and passes it down as a value (`LabEnvironment.undo`, and the
/// runner, which starts no program once it is interrupted). Providers never hold it: they get
/// `Safeguards`, which say what a step's undo is and leave the log to the lifecycle.
public final class UndoLog: @unchecked Sendable {
    public init() {}

    private let lock = NSLock()
    private var actions: [(id: Int, run: @Sendable () -> Void)] = []
    private var nextID = 0
    /// Held while actions run, so an interrupt waits for an undo already under way.
    private let executing = NSLock()

    /// Set while a program runs on this terminal that ends itself on Ctrl-C (capture's
    /// tcpdump): the interrupt is its, and vboxlab waits for it to end, then exits as it does.
    public var leavesInterruptToChild: Bool {
        get {
            lock.lock()
            defer { lock.unlock() }
            return childOwnsInterrupt
        }
        set {
            lock.lock()
            childOwnsInterrupt = newValue
            lock.unlock()
        }
    }
    private var childOwnsInterrupt = false

    /// An interrupt that `leavesInterruptToChild` let through: noted, so a loop that follows
    /// the child's work (a NIC trace) ends, and nothing new starts but undo actions.
    public func noteInterrupt() {
        lock.lock()
        stopping = true
        lock.unlock()
    }

    /// Registers an undo action; returns a token to drop it once the work is kept.
    public func push(_ action: @escaping @Sendable () -> Void) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        actions.append((nextID, action))
        return nextID
    }

    public func drop(_ id: Int) {
        lock.lock()
        actions.removeAll { $0.id == id }
        lock.unlock()
    }

    /// Runs and forgets every registered action, newest first.
    public func runAll() {
        executing.lock()
        defer { executing.unlock() }
        lock.lock()
        let pending = actions.reversed()
        actions = []
        lock.unlock()
        Self.asUndo { for a in pending { a.run() } }
    }

    /// Marks the calling thread as running undo actions while `body` runs: after an
    /// interrupt, only such a thread may still start programs.
    static func asUndo(_ body: () -> Void) {
        Thread.current.threadDictionary[undoKey] = true
        body()
        Thread.current.threadDictionary.removeObject(forKey: undoKey)
    }
    private static let undoKey = "vboxlab.undo"
    /// Whether the calling thread is running undo actions.
    static var isUndoThread: Bool { Thread.current.threadDictionary[undoKey] != nil }

    /// Whether a program may not be started now: an interrupt came, and the caller is a
    /// worker of the interrupted command rather than its undo. Without this a worker thread
    /// went on cloning and starting VMs after the undo had run.
    public var refusesNewWork: Bool { interrupted && !Self.isUndoThread }

    /// Set once a signal asked the command to stop; the main path then leaves the exit to `interrupt`.
    public var interrupted: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }
    private var stopping = false

    /// For SIGINT/SIGTERM: stop the running programs first (an `ip -batch` still running
    /// would go on creating after the undo), then undo. An undo already under way is let
    /// finish (its programs are not stopped) and is not run again.
    public func interrupt() {
        lock.lock()
        stopping = true
        lock.unlock()
        stopChildren(timeout: 2)
        runAll()
    }

    /// Runs one action, once: an interrupt meanwhile waits for it to finish (and leaves its
    /// programs running), then runs only the actions still registered.
    public func run(_ id: Int) {
        executing.lock()
        defer { executing.unlock() }
        lock.lock()
        let found = actions.first { $0.id == id }
        actions.removeAll { $0.id == id }
        lock.unlock()
        if let found { Self.asUndo { found.run() } }
    }

    /// The command's children not yet reaped, so an interrupt can stop them before undoing
    /// their work; and those of them an undo started, which an interrupt lets finish, so the
    /// undo under way completes once instead of being cut and run again.
    private var running = Set<pid_t>()
    private var undoing = Set<pid_t>()

    func started(_ pid: pid_t) {
        lock.lock()
        running.insert(pid)
        if Self.isUndoThread { undoing.insert(pid) }
        lock.unlock()
    }

    func reaped(_ pid: pid_t) {
        lock.lock()
        running.remove(pid)
        undoing.remove(pid)
        lock.unlock()
    }

    /// Sends SIGTERM to the group of every running child but an undo's, and waits (up to
    /// `timeout`) for their owners to reap them; SIGKILL for any still there. Only this
    /// command's children: another log's (another command in the same process) are not its.
    private func stopChildren(timeout: Double) {
        func snapshot() -> Set<pid_t> {
            lock.lock()
            defer { lock.unlock() }
            return running.subtracting(undoing)
        }
        for pid in snapshot() { ProcessGroup(id: pid).send(SIGTERM) }
        let deadline = Date().addingTimeInterval(timeout)
        while !snapshot().isEmpty && Date() < deadline { usleep(5_000) }
        for pid in snapshot() { ProcessGroup(id: pid).send(SIGKILL) }
    }
}
