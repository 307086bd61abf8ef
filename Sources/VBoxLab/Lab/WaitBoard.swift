import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// One wait for many guests, said once: a line when a guest answers, and a line of where
/// things stand every `every` seconds ("waiting for ssh: 2 of 3 answer; centos-3 booting
/// 41 s"). The executable draws lines that start with "waiting for " in place on a terminal.
final class WaitBoard: @unchecked Sendable {
    private let lock = NSLock()
    private let started = Date()
    private var answered: [String] = []
    private var waiting: Set<String>
    /// Guests that had to be waited for: only their answers are worth a line.
    private var waited: Set<String> = []
    /// The first tick is said at once; later ones every `every` seconds.
    private var lastSaid = Date.distantPast
    private let total: Int
    private let progress: ProgressHandler
    private let limit: Double
    /// The guests still booting; the others are up and only not answering yet.
    private let booting: Set<String>
    let every: Double

    init(
        vms: [String], limit: Double, booting: Set<String>? = nil, progress: @escaping ProgressHandler,
        every: Double = 30
    ) {
        waiting = Set(vms)
        self.booting = booting ?? Set(vms)
        total = vms.count
        self.limit = limit
        self.progress = progress
        self.every = every
    }

    /// What a transport reports while it waits: said here only now and then, for all at once.
    func tick(_ vm: String) {
        lock.lock()
        waited.insert(vm)
        let due = Date().timeIntervalSince(lastSaid) >= every
        if due { lastSaid = Date() }
        let line = status
        lock.unlock()
        if due { progress(line) }
    }

    func answered(_ vm: String) {
        lock.lock()
        guard waiting.remove(vm) != nil else {
            lock.unlock()
            return
        }
        answered.append(vm)
        guard waited.contains(vm) else {
            lock.unlock()
            return
        }
        let seconds = Int(Date().timeIntervalSince(started))
        lock.unlock()
        progress("\(vm) answers (\(seconds) s)")
    }

    func gaveUp(_ vm: String) {
        lock.lock()
        waiting.remove(vm)
        lock.unlock()
    }

    private var status: String {
        let seconds = Int(Date().timeIntervalSince(started))
        // Short enough for an 80-column terminal, where it is redrawn in place: names while few.
        func who(_ vms: Set<String>) -> String {
            let names = vms.sorted().joined(separator: ", ")
            return names.count <= 36 ? names : "\(vms.count) VMs"
        }
        let up = waiting.subtracting(booting)
        let states = [
            waiting.isDisjoint(with: booting) ? nil : "\(who(waiting.intersection(booting))) booting",
            up.isEmpty ? nil : "\(who(up)) up, not answering",
        ].compactMap { $0 }.joined(separator: ", ")
        return
            "waiting for ssh: \(answered.count) of \(total) answer; \(states) \(seconds) s (limit \(Int(limit)) "
            + "s: VBOXLAB_SSH_WAIT)"
    }
}
