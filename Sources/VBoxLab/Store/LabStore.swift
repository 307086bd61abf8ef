import Foundation

/// Lab records on disk, one JSON file per lab in `STATE/labs/LAB.json`, written
/// atomically so a crash leaves the old record or the new one, never half of one.
public struct LabStore: Sendable {
    public let directory: String

    public init(paths: StatePaths) { directory = paths.labsDirectory }
    public init(directory: String) { self.directory = directory }

    func file(_ lab: String) -> String { "\(directory)/\(lab).json" }

    /// The state directory the records live in, and what else vboxlab keeps there, each in
    /// one place: host keys, the labs' own key pairs, unpacked boxes, last checks, the
    /// neighbour limits it raised.
    public var state: String { (directory as NSString).deletingLastPathComponent }
    public func knownHosts(_ lab: String) -> String { "\(state)/known_hosts/\(lab)" }
    public func labKey(_ lab: String) -> String { "\(state)/keys/\(lab)" }
    public func lastCheck(_ lab: String) -> String { "\(state)/checks/\(lab).json" }
    public var boxCache: String { "\(state)/boxes" }
    public var neighbourLimits: String { "\(state)/neighbour-limits.json" }

    public func record(_ lab: String) -> LabRecord? {
        guard let data = FileManager.default.contents(atPath: file(lab)) else { return nil }
        return try? JSONDecoder().decode(LabRecord.self, from: data)
    }

    /// Every readable record, by lab name.
    public func all() -> [LabRecord] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted().compactMap { record(String($0.dropLast(5))) }
    }

    public func save(_ record: LabRecord) throws(VBoxLabError) {
        var r = record
        r.updated = LabRecord.timestamp()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try encoder.encode(r).write(to: URL(fileURLWithPath: file(r.lab)), options: .atomic)
        } catch {
            throw .system(.cannotWrite(path: "the lab record \(file(r.lab))", reason: error.localizedDescription))
        }
    }

    public func remove(_ lab: String) {
        try? FileManager.default.removeItem(atPath: file(lab))
    }

    /// The last check kept of a lab: (from, to, ok, where the frame was lost) per pair.
    /// `word` names the lab in the command that makes one.
    public func keptCheck(_ lab: String, word: String) throws(VBoxLabError) -> [(from: String, to: String, ok: Bool, lost: String?)] {
        guard let data = FileManager.default.contents(atPath: lastCheck(lab)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let pairs = object["pairs"] as? [[String: Any]] else {
            throw .lab(.noCheckKept(lab: lab, word: word))
        }
        return pairs.map { ($0["from"] as? String ?? "", $0["to"] as? String ?? "", $0["ok"] as? Bool ?? false, $0["lost"] as? String) }
    }
}
