import Foundation
import VBoxLabHost
import VBoxLabModel

/// Where a new VM comes from: a clone of a base VM (linked from a snapshot, or full), or an appliance.
enum VMSource: Sendable {
    case clone(base: VBoxVM, snapshot: String?, linked: Bool)
    case appliance(file: String)
    /// A Vagrant box whose base VM is not imported yet.
    case box(VagrantBox)
}

extension VirtualBoxProvider {
    /// The base of a VM, checked before anything is made: it exists, once, and a linked
    /// clone has a snapshot to start from.
    func source(for vm: VMSpec, spec: LabSpec, among others: [VBoxVM]) throws(VBoxLabError) -> VMSource {
        guard let base = vm.base ?? spec.base else {
            throw .missing(
                what: "a base for VM \(vm.name)",
                fix: "give the spec a base: { clone: \"VM\", snapshot: \"SNAPSHOT\" } or { import: \"FILE.ova\" }")
        }
        switch base {
        case .image(let file):
            throw .lab(
                .unusableBase(
                    "VM \(vm.name)'s base is the disk image \(file), which VirtualBox does not boot; give a box, a "
                        + "VM to clone or an appliance to import"
                ))
        case .box(let name, let version, let url):
            return try boxSource(name: name, version: version, url: url, spec: spec, among: others)
        case .importAppliance(let file):
            let dir = (spec.file as NSString).deletingLastPathComponent
            let full =
                file.hasPrefix("/")
                ? file
                : URL(fileURLWithPath: dir.isEmpty ? "." : dir).appendingPathComponent(file).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: full) else {
                throw .missing(
                    what: "the appliance \(full) (base of \(vm.name))",
                    fix: "put the .ova there, or name another file in the spec's base")
            }
            return .appliance(file: full)
        case .clone(let name, let snapshot, let linked):
            return try cloneSource(name: name, snapshot: snapshot, linked: linked, for: vm, among: others)
        }
    }

    /// A box: its base VM once imported (with the snapshot every clone starts from), else the box to import.
    private func boxSource(name: String, version: String?, url: String?, spec: LabSpec, among others: [VBoxVM])
        throws(VBoxLabError) -> VMSource
    {
        let box = try context.boxResolver(spec).resolve(name: name, version: version, url: url)
        let found = others.filter { $0.name == box.baseVM }
        guard let b = found.first else { return .box(box) }
        let info = VBoxParse.machineReadable(try vbox.read(["showvminfo", b.uuid, "--machinereadable"]))
        if let snapshot = info["CurrentSnapshotName"] { return .clone(base: b, snapshot: snapshot, linked: true) }
        guard b.groups.contains(VagrantBox.baseGroup), !context.dryRun else {
            throw .lab(
                .unusableBase(
                    "the base VM \(box.baseVM) of box \(name) has no snapshot; remove it (vboxlab prune-bases) and "
                        + "create again"
                ))
        }
        // vboxlab's own base, whose import was stopped before its snapshot: take it now.
        progress("\(box.baseVM): taking the snapshot an interrupted import did not take")
        try vbox.write(["snapshot", b.uuid, "take", "base"])
        return .clone(base: b, snapshot: "base", linked: true)
    }

    /// A VM of the user's to clone: one of that name or UUID, with the snapshot a linked clone needs.
    private func cloneSource(name: String, snapshot: String?, linked: Bool, for vm: VMSpec, among others: [VBoxVM])
        throws(VBoxLabError) -> VMSource
    {
        let found = others.filter { $0.name == name || $0.uuid == name }
        guard let b = found.first else {
            throw .missing(
                what: "the base VM '\(name)' (base of \(vm.name))",
                fix: "VirtualBox has no VM of that name: create or import it, or name another base in the spec")
        }
        if found.count > 1 {
            throw .lab(
                .unusableBase(
                    "the base VM name '\(name)' is ambiguous: VirtualBox has \(found.count) VMs of that name "
                        + "(\(found.map(\.uuid).joined(separator: ", "))); name the base by UUID in the spec"
                ))
        }
        guard linked || snapshot != nil else { return .clone(base: b, snapshot: nil, linked: false) }
        let info = VBoxParse.machineReadable(try vbox.read(["showvminfo", b.uuid, "--machinereadable"]))
        let snapshots = info.filter { $0.key == "SnapshotName" || $0.key.hasPrefix("SnapshotName-") }.map(\.value)
        if let snapshot {
            guard snapshots.contains(snapshot) else {
                throw .lab(
                    .unusableBase(
                        "the base VM \(name) has no snapshot '\(snapshot)' (it has "
                            + "\(snapshots.isEmpty ? "none" : snapshots.sorted().joined(separator: ", "))); take it: "
                            + "VBoxManage snapshot \(shellQuote(name)) take \(shellQuote(snapshot))"
                    ))
            }
            return .clone(base: b, snapshot: snapshot, linked: linked)
        }
        guard let current = info["CurrentSnapshotName"] else {
            throw .lab(
                .unusableBase(
                    "the base VM \(name) has no snapshot, and a linked clone starts from one: take one (VBoxManage "
                        + "snapshot \(shellQuote(name)) take base), or set linked: false in the spec's base for full "
                        + "clones"
                ))
        }
        return .clone(base: b, snapshot: current, linked: true)
    }
}
