import Foundation
import VBoxLabHost
import VBoxLabModel

extension VirtualBoxProvider {
    /// The undo of one create or fix-macs: every VM this run made (or may have begun to
    /// make) is powered off and deleted. A VM that VirtualBox still lists afterwards is
    /// stranded: the record keeps it, marked, so `list` says the lab needs `destroy` and
    /// `destroy` can still remove it. The record goes only when the lab is left with nothing.
    /// Answers with the record as it must read now (not clean only when there was none to read).
    func undo(_ made: [OwnedObject], lab: String, written: LabRecord?, hostName: (String) -> String) -> UndoResult {
        var stranded: [OwnedObject] = []
        for o in made {
            // An import is found by the unique name it is made under; one never begun is not there.
            guard let id = o.id ?? o.makingAs.flatMap(uuid(named:)) else { continue }
            // Fails, harmlessly, for a VM not running; the unregister below is what must succeed.
            _ = try? vbox.write(VBoxManage.powerOff(id))
            // One that cannot be deleted stays in the record, and the undo answers not clean.
            guard (try? vbox.write(VBoxManage.unregisterDelete(id))) == nil else { continue }
            if isRegistered(id) {
                stranded.append(OwnedObject(kind: .vm, name: o.name, id: id))
            }
            // A clone stopped half-way may have written its settings without registering them.
            else if o.makingAs == nil {
                _ = clearStale(name: hostName(o.name), uuid: id)
            }
        }
        guard !context.dryRun, var record = written else { return UndoResult(clean: false) }
        let names = Set(made.map(\.name))
        record.owned = record.owned.filter { !($0.kind == .vm && names.contains($0.name)) } + stranded
        record.stranded = stranded.isEmpty ? nil : stranded.map(\.name)
        if !stranded.isEmpty {
            progress(
                "could not delete \(stranded.map(\.name).joined(separator: ", ")); the record keeps "
                    + "\(stranded.count == 1 ? "it" : "them"): vboxlab destroy \(lab) removes "
                    + "\(stranded.count == 1 ? "it" : "them")"
            )
        }
        return UndoResult(clean: true, record: record)
    }

    /// The UUID of the one VM of that name, if VirtualBox lists exactly one.
    func uuid(named name: String) -> String? {
        guard let listed = try? VBoxParse.vmList(vbox.read(["list", "vms"])) else { return nil }
        let found = listed.filter { $0.name == name }
        return found.count == 1 ? found[0].uuid : nil
    }

    func isRegistered(_ uuid: String) -> Bool { (try? vbox.read(["showvminfo", uuid, "--machinereadable"])) != nil }

    /// The unique name an appliance is imported under: the import chooses its own UUID, so
    /// the VM is found by this name afterwards (and by an undo meanwhile), never by a name
    /// another lab's VM may carry.
    static func importName(lab: String, vm: String) -> String {
        "vboxlab-import-\(lab)-\(vm)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Whether a recorded VM is the lab's: its UUID is recorded (the caller's part) and
    /// VirtualBox shows it in the lab's group, or, while it was being made (a create under
    /// way, or an undo that could not delete it) and before it got the group, under the name
    /// the lab gives it on the host (the prefixed name, or the unique name of an import).
    /// Such a VM may sit in any group: a clone starts in its base's (`/vboxlab/bases` for a
    /// box), and the UUID it carries is the random one this run gave it.
    func belongs(_ vm: VBoxVM, to record: LabRecord, as object: OwnedObject) -> Bool {
        if vm.groups.contains(VMDesign.group(of: record.lab)) { return true }
        let unfinished = record.pending || (record.stranded ?? []).contains(object.name)
        let names = [record.hostName(object.name), object.makingAs].compactMap { $0 }
        return unfinished && names.contains(vm.name)
    }
}
