import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// create and fix-macs as one transaction, for every provider: the record before anything is
/// made, the record last, and on a failure the provider's undo once, then a new lab's record.
@Suite(.serialized) struct LabTransactionTests {
    /// What the transaction did, in order, as a provider's change sees it.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func add(_ line: String) {
            lock.lock()
            lines.append(line)
            lock.unlock()
        }
        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return lines
        }
    }

    func place() throws -> LabStore {
        let dir = NSTemporaryDirectory() + "vt-transaction-\(UUID().uuidString.prefix(8))/labs"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return LabStore(directory: dir)
    }

    func change(_ store: LabStore, log: Log, fails: Bool, undoneWhole: Bool = true) -> ProviderChange {
        var planned = LabRecord(lab: "tx", spec: "/s/tx.json5", provider: "netns", vms: ["a", "b"])
        planned.stopped = ["b"]
        return ProviderChange(
            record: planned, makes: true, failure: "failed; removing what this run made",
            make: { persist throws(VBoxLabError) in
                log.add("make sees pending=\((try? store.record("tx"))??.pending == true)")
                var r = planned
                r.vms = ["a", "b", "c"]
                try persist(r)
                if fails { throw .system(.disagrees("the second VM")) }
                return ApplyOutcome(created: true, changes: ["created lab tx"], record: r)
            },
            undo: { written in
                log.add("undo sees \(written?.vms ?? [])")
                return UndoResult(clean: undoneWhole)
            })
    }

    @Test func theRecordComesFirstAndLastPendingAndStoppedCleared() throws {
        let store = try place()
        let log = Log()
        let outcome = try LabTransaction(store: store, lab: "tx", newLab: true, dryRun: false, progress: { _ in }).run(
            change(store, log: log, fails: false))
        let kept = try #require(try store.record("tx"))
        #expect(log.all == ["make sees pending=true"])
        #expect(kept.vms == ["a", "b", "c"] && !kept.pending && kept.stopped == nil && outcome.record == kept)
    }

    @Test func aFailedNewLabIsUndoneOnceAndLeavesNoRecord() throws {
        let store = try place()
        let log = Log()
        let said = Log()
        #expect(throws: VBoxLabError.self) {
            try LabTransaction(store: store, lab: "tx", newLab: true, dryRun: false, progress: { said.add($0) }).run(
                change(store, log: log, fails: true))
        }
        #expect(log.all == ["make sees pending=true", "undo sees [\"a\", \"b\", \"c\"]"])
        #expect(said.all == ["failed; removing what this run made"])
        #expect(try store.record("tx") == nil)
    }

    @Test func aFailedChangeToAnExistingLabKeepsItsRecordAndWhatItStopped() throws {
        let store = try place()
        let log = Log()
        #expect(throws: VBoxLabError.self) {
            try LabTransaction(store: store, lab: "tx", newLab: false, dryRun: false, progress: { _ in }).run(
                change(store, log: log, fails: true))
        }
        let kept = try #require(try store.record("tx"))
        #expect(kept.stopped == ["b"] && kept.vms == ["a", "b", "c"] && !kept.pending)
    }

    /// An undo that could not remove all it made leaves the record, pending: the next run
    /// finds what is left and finishes, for a new lab too.
    @Test func anUndoThatLeavesSomethingKeepsTheRecordPending() throws {
        let store = try place()
        let log = Log()
        #expect(throws: VBoxLabError.self) {
            try LabTransaction(store: store, lab: "tx", newLab: true, dryRun: false, progress: { _ in })
                .run(change(store, log: log, fails: true, undoneWhole: false))
        }
        #expect(try store.record("tx")?.pending == true)
    }

    /// The undo answers with the record as it must read (what it could not delete, marked
    /// stranded); the transaction writes it, and a new lab with something stranded keeps it.
    @Test func theRecordAnUndoAnswersWithIsWrittenByTheTransaction() throws {
        let store = try place()
        var change = change(store, log: Log(), fails: true)
        change.undo = { written in
            var left = written ?? LabRecord(lab: "tx", spec: "", provider: "netns", vms: [])
            left.stranded = ["c"]
            return UndoResult(clean: true, record: left)
        }
        #expect(throws: VBoxLabError.self) {
            try LabTransaction(store: store, lab: "tx", newLab: true, dryRun: false, progress: { _ in }).run(change)
        }
        let kept = try #require(try store.record("tx"))
        #expect(kept.stranded == ["c"] && !kept.pending && kept.vms == ["a", "b", "c"])
    }

    @Test func aDryRunWritesNothingAndUndoesNothing() throws {
        let store = try place()
        let log = Log()
        #expect(throws: VBoxLabError.self) {
            try LabTransaction(store: store, lab: "tx", newLab: true, dryRun: true, progress: { _ in }).run(
                change(store, log: log, fails: true))
        }
        #expect(log.all == ["make sees pending=false"])
        #expect(try store.record("tx") == nil)
    }

    /// A fake provider that makes `count` objects (files in `host`), each named in the record
    /// before it is made; `interruptAt` is the step at which a signal comes (as the executable's
    /// handler: the undo log is interrupted, and the next program the provider would start is
    /// refused). Its undo removes what the record names.
    func objects(_ store: LabStore, host: String, count: Int, interruptAt: Int, undo: UndoLog, log: Log)
        -> ProviderChange
    {
        let planned = LabRecord(lab: "tx", spec: "/s/tx.json5", provider: "fake", vms: [])
        return ProviderChange(
            record: planned, makes: true, failure: "create failed; removing what this run made",
            make: { persist throws(VBoxLabError) in
                var r = planned
                for i in 0...count {
                    if i == interruptAt {
                        undo.interrupt()
                        throw .system(.interrupted)
                    }
                    guard i < count else { break }
                    r.vms.append("o\(i)")
                    try persist(r)
                    _ = FileManager.default.createFile(atPath: "\(host)/o\(i)", contents: nil)
                }
                return ApplyOutcome(created: true, changes: ["created lab tx"], record: r)
            },
            undo: { written in
                let named = written?.vms ?? []
                log.add("undo removes \(named)")
                for o in named { try? FileManager.default.removeItem(atPath: "\(host)/\(o)") }
                return UndoResult(clean: true)
            })
    }

    /// A signal at every step of a new lab's create, with the undo log passed as a value (no
    /// process-wide one): the undo runs once, removes every object made so far, then the
    /// record goes; the create fails as interrupted. Past the last step nothing is undone.
    @Test func aSignalAtEveryStepLeavesNothing() throws {
        let count = 4
        for step in 0...(count + 1) {
            let store = try place()
            let host = NSTemporaryDirectory() + "vt-objects-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: host) }
            let undo = UndoLog()
            let log = Log()
            let transaction = LabTransaction(
                store: store, lab: "tx", newLab: true, dryRun: false, progress: { _ in }, undo: undo)
            let change = objects(store, host: host, count: count, interruptAt: step, undo: undo, log: log)
            let left = { try FileManager.default.contentsOfDirectory(atPath: host).sorted() }
            if step > count {
                let outcome = try transaction.run(change)
                #expect(outcome.record.vms.count == count && log.all.isEmpty)
                #expect(try left().count == count && store.record("tx")?.pending == false)
                continue
            }
            #expect(throws: VBoxLabError.system(.interrupted), "step \(step)") { try transaction.run(change) }
            #expect(log.all == ["undo removes \((0..<step).map { "o\($0)" })"], "step \(step): \(log.all)")
            #expect(try left().isEmpty, "step \(step)")
            #expect(try store.record("tx") == nil, "step \(step)")
            #expect(undo.interrupted && undo.refusesNewWork)
            #expect(throws: VBoxLabError.system(.interrupted)) {
                try ProcessRunner(undo: undo).run(Command("true", []))
            }
        }
    }
}
