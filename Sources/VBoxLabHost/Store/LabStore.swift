import Foundation
import VBoxLabModel

/// Lab records on disk, one JSON file per lab in `STATE/labs/LAB.json`, written
/// atomically so a crash leaves the old record or the new one, never half of one.
public struct LabStore: Sendable {
    public let directory: String

    public init(paths: StatePaths) { directory = paths.labsDirectory }
    public init(directory: String) { self.directory = directory }

    public func file(_ lab: String) -> String { "\(directory)/\(lab).json" }

    /// What vboxlab keeps for a lab beside its record, all of which goes with the lab.
    public func keptFiles(_ lab: String) -> [String] {
        [knownHosts(lab), labKey(lab), labKey(lab) + ".pub", lastCheck(lab)]
    }

    /// The state directory the records live in, and what else vboxlab keeps there, each in
    /// one place: host keys, the labs' own key pairs, unpacked boxes, last checks, the
    /// neighbour limits it raised.
    public var state: String { (directory as NSString).deletingLastPathComponent }
    public func knownHosts(_ lab: String) -> String { "\(state)/known_hosts/\(lab)" }
    public func labKey(_ lab: String) -> String { "\(state)/keys/\(lab)" }
    public func lastCheck(_ lab: String) -> String { "\(state)/checks/\(lab).json" }
    public var boxCache: String { "\(state)/boxes" }

    /// The lab's record; nil when there is none. A record that cannot be read is an error,
    /// never taken for no record: that would orphan whatever it names.
    public func record(_ lab: String) throws(VBoxLabError) -> LabRecord? {
        guard let data = FileManager.default.contents(atPath: file(lab)) else { return nil }
        do { return try JSONDecoder().decode(LabRecord.self, from: data) } catch {
            throw .spec(.unreadableRecord(lab: lab, file: file(lab), reason: Self.reason(error)))
        }
    }

    /// Every readable record, by lab name.
    public func all() -> [LabRecord] { scan().records }

    /// Every record file: those that read, and those that do not, with why.
    public func scan() -> (records: [LabRecord], unreadable: [(lab: String, file: String, reason: String)]) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var records: [LabRecord] = []
        var unreadable: [(String, String, String)] = []
        for name in files.filter({ $0.hasSuffix(".json") }).sorted() {
            let lab = String(name.dropLast(5))
            do { if let r = try record(lab) { records.append(r) } } catch {
                if case .spec(.unreadableRecord(_, let f, let why)) = error { unreadable.append((lab, f, why)) }
            }
        }
        return (records, unreadable)
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c):
            return c.underlyingError.map { "\($0.localizedDescription)" } ?? c.debugDescription
        case DecodingError.keyNotFound(let k, _): return "no \(k.stringValue)"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: return "\(error)"
        }
    }

    /// Written to a temporary file, flushed to disk, then renamed over the old record, and
    /// the directory flushed: a crash or a full disk leaves the old record or the new one.
    public func save(_ record: LabRecord) throws(VBoxLabError) {
        var r = record
        r.updated = LabRecord.timestamp()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let target = file(r.lab)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try DurableFile.write(try encoder.encode(r), to: target)
        } catch let e as VBoxLabError {
            throw e
        } catch {
            throw .system(.cannotWrite(path: "the lab record \(target)", reason: error.localizedDescription))
        }
    }

    /// Keeps a lab's last check (its JSON), written as durably as the record.
    public func keepCheck(_ json: String, of lab: String) throws(VBoxLabError) {
        let path = lastCheck(lab)
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .system(.cannotWrite(path: path, reason: error.localizedDescription))
        }
        try DurableFile.write(Data(json.utf8), to: path)
    }

    public func remove(_ lab: String) {
        // A record already gone is the aim; callers that must know read the store again.
        try? FileManager.default.removeItem(atPath: file(lab))
    }

    /// The last check kept of a lab: (from, to, ok, where the frame was lost) per pair.
    /// `word` names the lab in the command that makes one.
    public func keptCheck(_ lab: String, word: String) throws(VBoxLabError) -> [(
        from: String, to: String, ok: Bool, lost: String?
    )] {
        guard let data = FileManager.default.contents(atPath: lastCheck(lab)),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let pairs = object["pairs"] as? [[String: Any]]
        else {
            throw .lab(.noCheckKept(lab: lab, word: word))
        }
        return pairs.map {
            ($0["from"] as? String ?? "", $0["to"] as? String ?? "", $0["ok"] as? Bool ?? false, $0["lost"] as? String)
        }
    }
}
