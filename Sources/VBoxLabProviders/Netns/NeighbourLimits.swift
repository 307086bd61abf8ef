import Foundation
import VBoxLabHost
import VBoxLabModel

/// The host's neighbour-table limits as they were before vboxlab raised them, and the labs
/// that still need them raised. The limits are the host's, whoever's state directory a lab
/// lives in, so this is kept host-wide (in /run, which forgets it at a reboot, as the kernel
/// forgets the raised limits), each lab known by its record's path, under a lock.
struct NeighbourLimits: Codable {
    var original: [Int]
    var labs: [String]

    static let base = "/proc/sys/net/ipv4/neigh/default/"
    static let files = ["gc_thresh1", "gc_thresh2", "gc_thresh3"]
    static let directory = "/run/vboxlab-host"
    static var path: String { "\(directory)/neighbour-limits.json" }

    static func read() -> [Int]? {
        let values = files.compactMap {
            (try? String(contentsOfFile: base + $0, encoding: .utf8)).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return values.count == 3 ? values : nil
    }
    static func write(_ values: [Int]) {
        for (file, value) in zip(files, values) {
            // A limit the kernel refuses leaves the host's own: a big lab then loses neighbours, which check names.
            try? "\(value)\n".write(toFile: base + file, atomically: false, encoding: .utf8)
        }
    }

    /// Runs `body` with the saved limits (nil when none are saved) under the host-wide lock;
    /// `body` returns what to save (nil to forget them).
    static func update(_ body: (NeighbourLimits?) -> NeighbourLimits?) {
        guard let held = try? LabLock(lab: "neighbour-limits", directory: directory) else { return }
        defer { withExtendedLifetime(held) {} }
        let saved = FileManager.default.contents(atPath: path).flatMap {
            try? JSONDecoder().decode(NeighbourLimits.self, from: $0)
        }
        guard let next = body(saved) else {
            // No note left to forget is as good as forgetting it.
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        // Unwritten, the limits stay raised after the last lab goes: harmless, and /run forgets at reboot.
        if let data = try? JSONEncoder().encode(next) { try? DurableFile.write(data, to: path) }
    }
}
