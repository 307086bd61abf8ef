import Foundation
import VBoxLabModel

/// A value shared between threads, behind a lock.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func get() -> Value {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    public func set(_ v: Value) {
        lock.lock()
        value = v
        lock.unlock()
    }
    public func update(_ body: (inout Value) -> Void) {
        lock.lock()
        body(&value)
        lock.unlock()
    }
}
