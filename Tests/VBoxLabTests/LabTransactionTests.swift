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
            undo: {
                log.add("undo sees \((try? store.record("tx"))??.vms ?? [])")
                return undoneWhole
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
}
