import Foundation
import VBoxLabHost
import VBoxLabModel

/// Where a stopped QEMU VM resumes from: an internal snapshot of its overlay that holds its
/// running state (`stop --save`'s, or a lab snapshot's), and the machine it ran as, since
/// QEMU restores a machine only into the same machine. Kept beside the overlay.
struct QemuResumePoint: Codable, Equatable {
    /// The internal snapshot (`-loadvm NAME`).
    var state: String
    /// QEMU's arguments when the state was saved, without any `-loadvm`.
    var argv: [String]

    /// Whether the state loads into `design`: the same machine, whatever host port its ssh
    /// forward listens on (the guest never sees it; another program may have taken the old
    /// one while the lab was stopped).
    func fits(_ design: QemuMachine) -> Bool {
        Self.withoutForwardPort(argv) == Self.withoutForwardPort(design.argv)
    }

    static func withoutForwardPort(_ argv: [String]) -> [String] {
        argv.map { option in
            guard option.hasPrefix("user,") else { return option }
            return option.split(separator: ",").map { $0.hasPrefix("hostfwd=") ? "hostfwd=*" : $0 }
                .joined(separator: ",")
        }
    }
}

extension QemuProvider {
    /// A running QEMU's machine: its arguments without the program and without `-loadvm`.
    static func machineArgv(_ process: QemuProcess) -> [String] {
        var machine = Array(process.argv.dropFirst())
        if let i = machine.firstIndex(of: "-loadvm"), i + 1 < machine.count { machine.removeSubrange(i...(i + 1)) }
        return machine
    }

    func resumePoint(_ vm: String, lab: String) -> QemuResumePoint? {
        read(QemuResumePoint.self, at: file(vm, lab: lab, named: "resume.json"))
    }

    func keepResumePoint(_ point: QemuResumePoint, vm: String, lab: String) {
        write(point, at: file(vm, lab: lab, named: "resume.json"))
    }

    func dropResumePoint(_ vm: String, lab: String) {
        if let path = file(vm, lab: lab, named: "resume.json") { unlink(path) }
    }

    /// The machine a VM ran as when a lab snapshot was taken of it running.
    func snapshotMachine(_ vm: String, lab: String, snapshot: String) -> [String]? {
        read([String].self, at: file(vm, lab: lab, named: "snapshot-\(snapshot).argv"))
    }

    func keepSnapshotMachine(_ argv: [String], vm: String, lab: String, snapshot: String) {
        write(argv, at: file(vm, lab: lab, named: "snapshot-\(snapshot).argv"))
    }

    func dropSnapshotMachine(_ vm: String, lab: String, snapshot: String) {
        if let path = file(vm, lab: lab, named: "snapshot-\(snapshot).argv") { unlink(path) }
    }

    /// A file of the VM's own folder (none for a name that is not a plain VM name of the lab).
    private func file(_ vm: String, lab: String, named name: String) -> String? {
        names(lab).ownedFolder(vm).map { "\($0)/\(name)" }
    }

    private func read<T: Decodable>(_ type: T.Type, at path: String?) -> T? {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    private func write<T: Encodable>(_ value: T, at path: String?) {
        guard let path, !context.dryRun, let data = try? JSONEncoder().encode(value) else { return }
        _ = FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
    }
}
