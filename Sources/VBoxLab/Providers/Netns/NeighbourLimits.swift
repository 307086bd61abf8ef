import Foundation

/// The host's neighbour-table limits as they were before vboxlab raised them, and the labs
/// that still need them raised; kept beside the lab records.
struct NeighbourLimits: Codable {
    var original: [Int]
    var labs: [String]

    static let base = "/proc/sys/net/ipv4/neigh/default/"
    static let files = ["gc_thresh1", "gc_thresh2", "gc_thresh3"]

    static func read() -> [Int]? {
        let values = files.compactMap { (try? String(contentsOfFile: base + $0, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        return values.count == 3 ? values : nil
    }
    static func write(_ values: [Int]) {
        for (file, value) in zip(files, values) { try? "\(value)\n".write(toFile: base + file, atomically: false, encoding: .utf8) }
    }
    static func path(_ store: LabStore) -> String { store.neighbourLimits }
    static func load(_ store: LabStore) -> NeighbourLimits? {
        FileManager.default.contents(atPath: path(store)).flatMap { try? JSONDecoder().decode(NeighbourLimits.self, from: $0) }
    }
    func save(_ store: LabStore) {
        try? FileManager.default.createDirectory(atPath: (NeighbourLimits.path(store) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? JSONEncoder().encode(self).write(to: URL(fileURLWithPath: NeighbourLimits.path(store)), options: .atomic)
    }
    static func forget(_ store: LabStore) { try? FileManager.default.removeItem(atPath: path(store)) }
}
