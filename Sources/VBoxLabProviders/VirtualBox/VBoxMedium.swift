import VBoxLabHost
import VBoxLabModel

/// One disk as `showmediuminfo` describes it: its UUID, its parent (nil for a base disk)
/// and the differencing disks built on it.
public struct VBoxMedium: Sendable, Equatable {
    public var uuid: String
    public var parent: String?
    public var children: [String]

    /// `UUID:`, `Parent UUID:` (`base` for none) and `Child UUIDs:` with one UUID a line.
    public static func parse(_ text: String) -> VBoxMedium? {
        var medium = VBoxMedium(uuid: "", parent: nil, children: [])
        var inChildren = false
        for raw in text.split(separator: "\n") {
            let line = String(raw)
            if inChildren, line.hasPrefix(" ") {
                medium.children.append(line.trimmingCharacters(in: .whitespaces))
                continue
            }
            inChildren = false
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "UUID": medium.uuid = value
            case "Parent UUID": medium.parent = value == "base" || value.isEmpty ? nil : value
            case "Child UUIDs":
                inChildren = true
                if !value.isEmpty { medium.children.append(value) }
            default: break
            }
        }
        return medium.uuid.isEmpty ? nil : medium
    }
}

extension VirtualBoxProvider {
    /// How many disks of other VMs build on a base: the children of each disk it uses, and
    /// of that disk's parent (a linked clone from the base's snapshot is a child of the disk
    /// the snapshot froze, beside the base's own current-state disk); nil for a base without disks.
    func clonesOf(_ base: VBoxVM) throws(VBoxLabError) -> Int? {
        let keys = VBoxParse.machineReadable(try vbox.read(["showvminfo", base.uuid, "--machinereadable"]))
        let disks = keys.filter { k, v in
            k.split(separator: "-").count == 3 && !k.contains("ImageUUID")
                && (v.hasSuffix(".vdi") || v.hasSuffix(".vmdk"))
        }.map(\.value)
        guard !disks.isEmpty else { return nil }
        var clones = 0
        for disk in disks {
            guard let medium = VBoxMedium.parse(try vbox.read(["showmediuminfo", "disk", disk])) else { continue }
            clones += medium.children.count
            guard let parent = medium.parent,
                let frozen = VBoxMedium.parse(try vbox.read(["showmediuminfo", "disk", parent]))
            else { continue }
            clones += frozen.children.filter { $0 != medium.uuid }.count
        }
        return clones
    }
}
