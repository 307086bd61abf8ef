import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The executable as a person uses it: a working directory of the test's own, and a
/// state directory of its own, so "the one recorded lab" means this test's lab.
struct CLIPlace {
    let dir: String
    let state: String
    var env: [String: String] { ["XDG_STATE_HOME": state, "XDG_RUNTIME_DIR": state + "/run"] }

    init() throws {
        dir = try CLI.tempDir().path
        state = dir + "/.state"
    }

    /// Writes a spec: a bundled lab under another name, or the text given. Before this place's
    /// first command, namespaces of that lab's name are what an earlier run of the same test left
    /// when it was killed (each test's lab names are its own): they go first, as that run's
    /// cleanup would have removed them.
    @discardableResult
    func write(_ path: String, bundled: String? = nil, name: String, text: String? = nil) throws -> String {
        if !FileManager.default.fileExists(atPath: state) { Self.removeNamespaces(of: name) }
        let full = path.hasPrefix("/") ? path : "\(dir)/\(path)"
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var body = text ?? ""
        if let bundled {
            body = try String(contentsOfFile: "\(packageRoot)/labs/\(bundled).json5", encoding: .utf8)
                .replacingOccurrences(of: "name: \"\(bundled)\"", with: "name: \"\(name)\"")
        }
        try body.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    func run(_ args: [String], in sub: String = "") throws -> CLI.Run {
        let cwd = sub.isEmpty ? dir : "\(dir)/\(sub)"
        try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
        return try CLI.run(args, cwd: cwd, env: env)
    }

    /// The argv of the first `fix:` (or `next:`) line of a check's output, as a shell would split it.
    static func pasted(_ output: String, prefix: String = "fix: ") -> [String]? {
        guard
            let line = output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: {
                $0.hasPrefix(prefix)
            })
        else { return nil }
        let words = line.dropFirst(prefix.count).split(separator: " ").map(String.init)
        guard words.first == "vboxlab" else { return nil }
        return Array(words.dropFirst())
    }

    /// Removes every lab this place recorded, then the place.
    func cleanup(labs: [String]) {
        _ = try? run(["destroy", "--all"])
        for lab in labs { Self.removeNamespaces(of: lab) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The host's namespaces named for `lab` (its VMs' and its switch's), removed, with the
    /// files that keep its VMs' host names.
    static func removeNamespaces(of lab: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: NetnsHostnames.directory)) ?? []
        NetnsHostnames(runner: ProcessRunner(), dryRun: false).remove(names.filter { $0.hasPrefix("vbl-\(lab)-") })
        let left = HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-\(lab)-") }
        guard !left.isEmpty else { return }
        _ = try? ProcessRunner().run(
            Command("ip", ["-force", "-batch", "-"], input: left.map { "netns del \($0)\n" }.joined()))
    }
}

/// The kernel's own ping between two namespaces of a lab.
func kernelPing(_ lab: String, from vm: String, _ source: String, to target: String) -> Bool {
    let ns = NetnsNames(lab: lab).vmNamespace(vm)
    _ = try? ProcessRunner().run(Command("ip", ["-n", ns, "neigh", "flush", "all"]))
    return
        (try? ProcessRunner().run(
            Command("ip", ["netns", "exec", ns, "ping", "-c", "1", "-W", "2", "-I", source, target])))?.status == 0
}

func addresses(_ lab: String, _ vm: String, _ dev: String) -> String {
    (try? ProcessRunner().run(
        Command("ip", ["-n", NetnsNames(lab: lab).vmNamespace(vm), "-br", "-4", "addr", "show", "dev", dev])))?.stdout
        ?? ""
}

/// Deletes a namespace the way a person would, then waits (up to 10 s) until the kernel has
/// torn it down: `ip netns del` returns before the namespace's veths are gone, and until
/// then its VM still answers. `peer` is a device in another namespace that goes with it.
func deleteNamespace(_ ns: String, peer: (namespace: String, device: String)) throws {
    try ProcessRunner().check(Command("ip", ["netns", "del", ns]))
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline,
        (try? ProcessRunner().run(Command("ip", ["-n", peer.namespace, "link", "show", "dev", peer.device])))?.status
            == 0
    {
        usleep(20_000)
    }
}
