import Foundation
import VBoxLabHost
import VBoxLabModel

extension VirtualBoxProvider {
    /// Clones, and mends what a clone killed half-way left behind: VirtualBox refuses a new
    /// clone whose settings file already exists, and never registered the old one, so no
    /// `destroy` could see it. When the file in the way is a VM of this lab (its UUID is one the
    /// record gave that VM, or the one this run chose for it), it is registered, deleted with
    /// its disks, and the clone made again; anything else in the way is left and named.
    func clone(_ args: [String], ours: [String]) throws(VBoxLabError) {
        // A clone is registered as its last step: listed, it is made.
        let done = looks.listed(ours[0])
        do { try vbox.write(args, timeout: 1800, doneWhen: done) } catch {
            guard let file = Self.settingsFileInTheWay(error) else { throw error }
            try removeStale(file, original: error) { ours.contains($0.uuid) }
            try vbox.write(args, timeout: 1800, doneWhen: done)
        }
    }

    /// A new VM's one `modifyvm`. Its group setting moves the VM's folder into the lab's group
    /// folder, which VirtualBox refuses when a folder of that name is there already: the files of
    /// a VM of this lab that VirtualBox unregistered and never deleted (a destroy killed between
    /// the two halves of `unregistervm --delete`). Those are deleted, once, and the call made again.
    func configure(_ id: String, _ settings: [VMSetting], design: VMDesign) throws(VBoxLabError) {
        let done = looks.designed(id, design)
        do { try vbox.write(VBoxManage.modify(id, settings), doneWhen: done) } catch {
            guard isOrphanInTheWay(error, design: design), clearOrphan(name: design.hostName, group: design.group)
            else { throw error }
            try vbox.write(VBoxManage.modify(id, settings), doneWhen: done)
        }
    }

    /// Whether VirtualBox would not overwrite a folder, and that folder is exactly this VM's in
    /// the lab's group folder (which only vboxlab makes).
    func isOrphanInTheWay(_ error: VBoxLabError, design: VMDesign) -> Bool {
        guard case .system(.commandFailed(_, _, let stderr)) = error,
            let line = stderr.split(separator: "\n").first(where: {
                $0.contains("Could not rename the directory '") && $0.contains("VERR_ALREADY_EXISTS")
            }),
            let to = line.range(of: "' to '"), let close = line[to.upperBound...].firstIndex(of: "'"),
            let folder = machineFolder()
        else { return false }
        return line[to.upperBound..<close] == "\(folder)\(design.group)/\(design.hostName)"
    }

    /// For destroy: a VM an interrupted create was cloning under `name`, never registered,
    /// is looked for where a clone puts its settings (the default machine folder) and, when it
    /// is the one the record names, deleted with its disks. Returns whether it was.
    func clearStale(name: String, uuid: String) -> Bool {
        guard let folder = machineFolder() else { return false }
        let file = "\(folder)/\(name)/\(name).vbox"
        return (try? removeStale(file, uuid: uuid, original: .system(.disagrees("no settings file \(file)")))) != nil
    }

    /// For create and destroy: a VM of this lab that VirtualBox unregistered without deleting its files (a
    /// destroy killed half-way through `unregistervm --delete`) is looked for in its folder in
    /// the lab's group folder and, when its settings name it as this lab's VM, deleted with its disks.
    func clearOrphan(name: String, group: String) -> Bool {
        guard let folder = machineFolder() else { return false }
        let file = "\(folder)\(group)/\(name)/\(name).vbox"
        do {
            try removeStale(file, original: .system(.disagrees("no settings file \(file)"))) {
                $0.name == name && $0.groups.contains(group)
            }
            return true
        } catch { return false }
    }

    /// VirtualBox's default machine folder, where clones and their groups' folders go.
    func machineFolder() -> String? {
        guard let props = try? vbox.read(["list", "systemproperties"]),
            let line = props.split(separator: "\n").first(where: { $0.hasPrefix("Default machine folder:") })
        else { return nil }
        return line.dropFirst("Default machine folder:".count).trimmingCharacters(in: .whitespaces)
    }

    /// The lab group's folder (`vboxlab/LAB`), once its last VM is deleted: removed only when
    /// empty (rmdir), so nothing VirtualBox or a user put there is ever lost.
    func removeGroupFolder(lab: String) {
        guard !context.dryRun, let folder = machineFolder() else { return }
        rmdir("\(folder)\(VMDesign.group(of: lab))")
    }

    /// The settings file named in VirtualBox's "already exists" refusal.
    static func settingsFileInTheWay(_ error: VBoxLabError) -> String? {
        guard case .system(.commandFailed(_, _, let stderr)) = error, stderr.contains("already exists"),
            let path = firstQuoted(in: Substring(stderr))
        else { return nil }
        return path.hasSuffix(".vbox") ? path : nil
    }

    /// The first 'single-quoted' text, as VirtualBox quotes the paths in its messages.
    private static func firstQuoted(in text: Substring) -> String? {
        guard let open = text.firstIndex(of: "'"), let close = text[text.index(after: open)...].firstIndex(of: "'")
        else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    private func removeStale(_ file: String, uuid: String, original: VBoxLabError) throws(VBoxLabError) {
        try removeStale(file, original: original) { $0.uuid == uuid }
    }

    /// A box's base whose import was stopped half-way: its settings, or only the disk the
    /// import was copying, are in the way of the import, in the base's own folder
    /// (`vboxlab/bases/BASE`), which only vboxlab makes. Each is cleared once and the
    /// import tried again; anything else in the way is left and named.
    func importClearingStale(_ box: VagrantBox) throws(VBoxLabError) {
        let args = VBoxManage.importAppliance(file: box.ovf, name: box.baseVM, group: VagrantBox.baseGroup)
        var cleared: Set<String> = []
        while true {
            do {
                try vbox.write(args, timeout: 3600)
                return
            } catch {
                if let file = Self.settingsFileInTheWay(error), !cleared.contains(file) {
                    try removeStale(file, original: error) {
                        $0.name == box.baseVM && $0.groups.contains(VagrantBox.baseGroup)
                    }
                    cleared.insert(file)
                } else if let disk = Self.diskInTheWay(error), !cleared.contains(disk),
                    let folder = machineFolder(),
                    Self.isInside(disk, folder: "\(folder)\(VagrantBox.baseGroup)/\(box.baseVM)")
                {
                    try removeStaleDisk(disk)
                    cleared.insert(disk)
                } else {
                    throw error
                }
            }
        }
    }

    /// The disk named in VirtualBox's refusal to create a file that exists (an import's copy).
    static func diskInTheWay(_ error: VBoxLabError) -> String? {
        guard case .system(.commandFailed(_, _, let stderr)) = error, stderr.contains("VERR_ALREADY_EXISTS"),
            let line = stderr.split(separator: "\n").first(where: {
                $0.contains("Could not create the imported medium '")
            })
        else { return nil }
        return firstQuoted(in: line)
    }

    /// Whether `path` lies in `folder` itself (not deeper, and not out of it through `..`).
    static func isInside(_ path: String, folder: String) -> Bool {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        return parent == folder && !name.isEmpty && name != "." && name != ".."
    }

    /// Deletes a disk an interrupted import was copying, through VirtualBox (which also
    /// forgets it, if it got as far as its media registry). Only a copy too short for
    /// VirtualBox to read is removed as a file, where this process sees VirtualBox's files: a
    /// disk VirtualBox knows and keeps (other disks build on it) is left and named.
    private func removeStaleDisk(_ disk: String) throws(VBoxLabError) {
        progress("removing the disk an interrupted import left (\(disk))")
        let refusal: String
        do {
            try vbox.write(["closemedium", "disk", disk, "--delete"])
            return
        } catch {
            guard case .system(.commandFailed(_, _, let stderr)) = error else { throw error }
            refusal = stderr
        }
        let unreadable = refusal.contains("Could not get the storage format")
        // Not removed: the refusal below names the file and what to do.
        if unreadable, (try? FileManager.default.removeItem(atPath: disk)) != nil { return }
        let reason =
            refusal.split(separator: "\n").first { $0.contains("error:") }.map {
                String($0).replacingOccurrences(of: "VBoxManage: error: ", with: "")
            } ?? "it gave no reason"
        throw .lab(
            .unusableBase(
                "\(disk), left by an interrupted import, is in the way of importing it again, and VirtualBox will "
                    + "not delete it: \(reason). "
                    + (unreadable
                        ? "Remove that file"
                        : "See VBoxManage list hdds, close the disks that build on it (VBoxManage closemedium disk "
                            + "UUID)")
                    + ", then create again"))
    }

    /// Registers the settings file in the way, and deletes the VM with its disks when `isOurs`
    /// says it is what vboxlab was making; anything else is left unregistered, as found, and named.
    private func removeStale(_ file: String, original: VBoxLabError, isOurs: (VBoxVM) -> Bool) throws(VBoxLabError) {
        let before = Set(VBoxParse.vmList(try vbox.read(["list", "vms"])).map(\.uuid))
        // Not registrable: the import's own refusal says more than registervm's.
        guard (try? vbox.write(["registervm", file])) != nil else { throw original }
        let appeared = Set(VBoxParse.vmList(try vbox.read(["list", "vms"])).map(\.uuid)).subtracting(before)
        let found =
            appeared.count == 1
            ? VBoxParse.inventory((try? vbox.read(["showvminfo", appeared.first!])) ?? "").first : nil
        guard let vm = found, isOurs(vm) else {
            // Left as found: the error below names it either way.
            for other in appeared { _ = try? vbox.write(["unregistervm", other]) }
            throw .lab(
                .unusableBase(
                    "\(file) is in the way of a new VM and is not one this lab made; remove it, or rename the lab's VM")
            )
        }
        progress("removing what an interrupted run left of a VM (\(file))")
        try vbox.write(VBoxManage.unregisterDelete(vm.uuid))
    }
}
