import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The real VBoxManage (Debian's VirtualBox in a chroot, `scripts/virtualbox-chroot`), or why not.
enum VBoxGate {
    static let real: String? = {
        if let p = ProcessInfo.processInfo.environment["VBOXLAB_TEST_VBOXMANAGE"], !p.isEmpty { return p }
        let standard = "/var/lib/vboxlab/bin/VBoxManage"
        return FileManager.default.isExecutableFile(atPath: standard) ? standard : nil
    }()
    static let reason: String? = {
        guard let real else {
            return "no real VBoxManage: run scripts/virtualbox-chroot as root, or set VBOXLAB_TEST_VBOXMANAGE"
        }
        guard let r = try? ProcessRunner().run(Command(real, ["--version"])), r.succeeded,
            VBoxParse.version(r.stdout) != nil
        else {
            return "\(real) --version fails"
        }
        return nil
    }()
    static var available: Bool {
        if let reason { print("skipping VirtualBox tests: \(reason)") }
        return reason == nil
    }

    static var required: Bool { ProcessInfo.processInfo.environment["VBOXLAB_REQUIRE_VIRTUALBOX"] == "1" }
    static var shim: String { "\(packageRoot)/Tests/VBoxLabHostTests/Shim/VBoxManage" }
}

/// A place for one VirtualBox test: its own state, shim state and base VM (`vt-base-…`, with
/// an inherited ssh NAT rule and a snapshot), and the VMs that existed before it, which
/// cleanup leaves alone.
final class VBoxPlace {
    let dir: String
    let base: String
    let before: Set<String>
    var fail: String?
    /// More environment for the executable (VAGRANT_HOME).
    var extra: [String: String] = [:]

    init(tag: String) throws {
        dir = try CLI.tempDir().path
        base = "vt-base-\(tag)"
        // A base a killed earlier run of this test left would share the name.
        for stale in VBoxParse.vmList((try? VBoxPlace.realRun(["list", "vms"]))?.stdout ?? "") where stale.name == base
        {
            _ = try? VBoxPlace.realRun(["unregistervm", stale.uuid, "--delete"])
        }
        before = Set(VBoxParse.vmList((try? VBoxPlace.realRun(["list", "vms"]))?.stdout ?? "").map(\.uuid))
        try VBoxPlace.real([
            "createvm", "--name", base, "--register", "--ostype", "RedHat_64", "--basefolder", "\(dir)/vms",
        ])
        try VBoxPlace.real(["modifyvm", base, "--nic1", "nat", "--natpf1", "ssh,tcp,127.0.0.1,2222,,22"])
        try VBoxPlace.real(["snapshot", base, "take", "base"])
    }

    static func realRun(_ args: [String]) throws -> CommandResult {
        try ProcessRunner().run(Command(VBoxGate.real!, args, environment: ["LC_ALL": "C"]))
    }
    @discardableResult static func real(_ args: [String]) throws -> String {
        let r = try realRun(args)
        guard r.succeeded else {
            throw VBoxLabError.commandFailed(command: args.joined(separator: " "), status: r.status, stderr: r.stderr)
        }
        return r.stdout
    }

    var env: [String: String] {
        var e = [
            "XDG_STATE_HOME": dir + "/state", "XDG_RUNTIME_DIR": dir + "/run", "VBOXLAB_VBOXMANAGE": VBoxGate.shim,
            "VBOXLAB_SHIM_REAL": VBoxGate.real!, "VBOXLAB_SHIM_STATE": dir + "/shim", "VBOXLAB_PROVIDER": "",
        ]
        if let fail { e["VBOXLAB_SHIM_FAIL"] = fail }
        for (k, v) in extra { e[k] = v }
        return e
    }

    /// A spec: a bundled lab renamed, on this place's base, or the text given.
    @discardableResult
    /// `prefix` sets the spec's prefix ("" for the spec's names as they are on the host).
    func write(_ name: String, bundled: String? = nil, text: String? = nil, prefix: String? = nil) throws -> String {
        var body = text ?? ""
        if let bundled {
            body = try String(contentsOfFile: "\(packageRoot)/labs/\(bundled).json5", encoding: .utf8)
                .replacingOccurrences(
                    of: "name: \"\(bundled)\"", with: "name: \"\(name)\"" + (prefix.map { ", prefix: \"\($0)\"" } ?? "")
                )
            body = body.replacingOccurrences(
                of: #"base: \{[^}]*\}"#, with: "base: { clone: \"\(base)\" }", options: .regularExpression)
        }
        let path = "\(dir)/\(name).json5"
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func run(_ args: [String]) throws -> CLI.Run { try CLI.run(args, cwd: dir, env: env) }

    /// The VBoxManage calls made through the shim since the last reset, one argv a line.
    var calls: [String] {
        ((try? String(contentsOfFile: dir + "/shim/calls.log", encoding: .utf8)) ?? "").split(separator: "\n").map(
            String.init)
    }
    func resetCalls() { try? FileManager.default.removeItem(atPath: dir + "/shim/calls.log") }
    static let writing: Set<String> = [
        "clonevm", "import", "modifyvm", "startvm", "controlvm", "unregistervm", "snapshot", "createvm",
    ]
    var writes: [String] { calls.filter { VBoxPlace.writing.contains(String($0.split(separator: " ").first ?? "")) } }

    /// The lab's VMs by name, from its record.
    func recorded(_ lab: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/state/vboxlab/labs/\(lab).json"))
        let record = try JSONDecoder().decode(LabRecord.self, from: data)
        return Dictionary(uniqueKeysWithValues: record.owned.filter { $0.kind == .vm }.map { ($0.name, $0.id!) })
    }

    /// What the real VBoxManage says of a VM: machine-readable keys, and each NIC's policy from the human lines.
    func read(_ uuid: String) throws -> (keys: [String: String], promisc: [Int: String]) {
        let keys = VBoxParse.machineReadable(try VBoxPlace.real(["showvminfo", uuid, "--machinereadable"]))
        var promisc: [Int: String] = [:]
        for line in try VBoxPlace.real(["showvminfo", uuid]).split(separator: "\n") where line.hasPrefix("NIC ") {
            guard let slot = Int(line.dropFirst(4).prefix { $0.isNumber }), let r = line.range(of: "Promisc Policy: ")
            else { continue }
            promisc[slot] = String(line[r.upperBound...].prefix { $0 != "," })
        }
        return (keys, promisc)
    }

    /// Every VM this test made goes (clones before the base), and the place.
    func cleanup() {
        let now = VBoxParse.vmList((try? VBoxPlace.realRun(["list", "vms"]))?.stdout ?? "").filter {
            !before.contains($0.uuid)
        }
        for vm in now.filter({ $0.name != base }) + now.filter({ $0.name == base }) {
            _ = try? VBoxPlace.realRun(["unregistervm", vm.uuid, "--delete"])
        }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

extension VBoxPlace {
    /// Clears what an earlier, killed run of a test left in VirtualBox under names only that
    /// test uses (`prefixes` of VM names and of disk folders): the VMs, then the disks, children
    /// first (a disk whose VM's folder is gone is inaccessible, and is only forgotten).
    /// VirtualBox's other VMs and disks are never touched.
    static func clearEarlierRun(prefixes: [String]) {
        func ours(_ name: Substring) -> Bool { prefixes.contains { name.hasPrefix($0) } }
        let vms = VBoxParse.vmList((try? realRun(["list", "vms"]))?.stdout ?? "").filter { ours(Substring($0.name)) }
        for vm in vms {
            _ = try? realRun(["controlvm", vm.uuid, "poweroff"])
            _ = try? realRun(["unregistervm", vm.uuid, "--delete"])
        }
        var disks = ((try? realRun(["list", "hdds"]))?.stdout ?? "").components(separatedBy: "\n\n").compactMap {
            block -> (uuid: String, parent: String, usable: Bool)? in
            let fields = Dictionary(
                block.split(separator: "\n").compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (
                        String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    )
                }, uniquingKeysWith: { a, _ in a })
            guard let uuid = fields["UUID"], let location = fields["Location"],
                location.split(separator: "/").contains(where: ours)
            else { return nil }
            return (uuid, fields["Parent UUID"] ?? "base", fields["State"] != "inaccessible")
        }
        while let leaf = disks.first(where: { d in !disks.contains { $0.parent == d.uuid } }) {
            _ = try? realRun(["closemedium", "disk", leaf.uuid] + (leaf.usable ? ["--delete"] : []))
            disks.removeAll { $0.uuid == leaf.uuid }
        }
        // What VirtualBox no longer knows of: a base's folder an import was killed in.
        guard let machine = try? VirtualBoxTests.machineFolder() else { return }
        for folder in [machine, "\(machine)/vboxlab/bases"] {
            for stale in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            where ours(Substring(stale)) {
                try? FileManager.default.removeItem(atPath: "\(folder)/\(stale)")
            }
        }
    }
}
