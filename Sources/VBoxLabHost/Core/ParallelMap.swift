import Foundation
import VBoxLabModel

/// Runs `body` over `items` on up to `width` threads, keeping the results in order.
package func parallelMap<T: Sendable, R: Sendable>(_ items: [T], width: Int = 8, _ body: @escaping @Sendable (T) -> R)
    -> [R]
{
    guard items.count > 1 else { return items.map(body) }
    let results = ResultSlots<R>(count: items.count)
    let next = Counter()
    // Real threads, not `concurrentPerform`: that runs about one worker per core, and the
    // work here is mostly waiting on child processes, so it wants `width` at once.
    let done = DispatchGroup()
    // Workers of an undo are part of it: after an interrupt they may still run programs.
    let undoing = UndoLog.isUndoThread
    for _ in 0..<min(width, items.count) {
        done.enter()
        let thread = Thread {
            let work = { while let i = next.take(below: items.count) { results.set(i, body(items[i])) } }
            if undoing { UndoLog.asUndo(work) } else { work() }
            done.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    done.wait()
    return results.values
}

private final class ResultSlots<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [R?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: R) {
        lock.lock()
        slots[i] = value
        lock.unlock()
    }
    var values: [R] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
