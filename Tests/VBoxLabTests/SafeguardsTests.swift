import Foundation
import Testing

@testable import VBoxLabHost
@testable import VBoxLabModel

/// What a provider is given in place of the undo log: a step's undo runs once on failure or
/// interrupt and never after success; a scratch path goes whatever happens.
@Suite struct SafeguardsTests {
    final class Count: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() { lock.withLock { n += 1 } }
        var value: Int { lock.withLock { n } }
    }

    @Test func aStepIsUndoneOnceOnFailureAndNeverAfterSuccess() {
        let log = UndoLog()
        let guards = Safeguards(log)
        let undone = Count()
        let value = guards.step(undo: { undone.add() }) { 7 }
        #expect(value == 7)
        log.runAll()
        #expect(undone.value == 0)

        #expect(throws: VBoxLabError.self) {
            try guards.step(undo: { undone.add() }) { () throws(VBoxLabError) in
                throw .system(.interrupted)
            }
        }
        #expect(undone.value == 1)
        log.runAll()
        #expect(undone.value == 1)
    }

    @Test func anInterruptDuringAStepRunsItsUndoOnce() {
        let log = UndoLog()
        let undone = Count()
        Safeguards(log).step(undo: { undone.add() }) {
            log.interrupt()
            #expect(undone.value == 1)
        }
        #expect(undone.value == 1)
    }

    @Test func aScratchPathGoesOnSuccessFailureAndInterrupt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vt-scratch-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = UndoLog()
        let guards = Safeguards(log)
        let path = "\(dir)/partial"

        guards.scratch(path) { _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: path))

        #expect(throws: VBoxLabError.self) {
            try guards.scratch(path) { () throws(VBoxLabError) in
                _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
                throw .system(.interrupted)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))

        guards.scratch(path) {
            _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
            log.interrupt()
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
