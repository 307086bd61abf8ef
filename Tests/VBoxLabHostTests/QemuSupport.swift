import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Whether real guests can boot here: root, namespaces, QEMU, and both guest images
/// (`scripts/guest-image` and `scripts/guest-image --variant networkmanager`).
enum QemuGate {
    static let images = QemuImage.directory()
    static let defaultImage = "\(images)/\(QemuImage.defaultVariant)"
    static let networkManagerImage = "\(images)/debian-12-networkmanager-r\(QemuImage.recipe)"

    static let reason: String? = {
        if let r = NetnsGate.reason { return r }
        guard ProcessRunner.resolve("qemu-system-x86_64") != nil, ProcessRunner.resolve("qemu-img") != nil else {
            return "no QEMU (apt-get install qemu-system-x86 qemu-utils)"
        }
        for image in [defaultImage, networkManagerImage]
        where !FileManager.default.fileExists(atPath: "\(image)/image.json") {
            return
                "no guest image \(image) "
                + "(scripts/guest-image\(image == networkManagerImage ? " --variant networkmanager" : ""))"
        }
        return nil
    }()
    static var available: Bool {
        if let reason { print("skipping QEMU guest tests: \(reason)") }
        return reason == nil
    }
    static var required: Bool { ProcessInfo.processInfo.environment["VBOXLAB_REQUIRE_QEMU"] == "1" }
}

/// A place of the test's own for one QEMU lab: its spec (a bundled lab renamed), state and
/// runtime directories; `cleanup` leaves no QEMU, tap, overlay or namespace of the lab.
struct QemuPlace {
    let lab: String
    let place: CLIPlace
    let runtime: String

    init(lab: String, bundled: String, image: String? = nil, runtime: String? = nil) throws {
        self.lab = lab
        place = try CLIPlace()
        // A short runtime directory unless the test wants another.
        self.runtime = runtime ?? "/tmp/vbq-\(lab)"
        try? FileManager.default.removeItem(atPath: self.runtime)
        let spec = try place.write("labs/\(lab).json5", bundled: bundled, name: lab)
        if let image {
            var text = try String(contentsOfFile: spec, encoding: .utf8)
            text = text.replacingOccurrences(
                of: #"base: \{[^}]*\}"#, with: "base: { image: \"\(image)\" }", options: .regularExpression)
            try text.write(toFile: spec, atomically: true, encoding: .utf8)
        }
        killQemus()
    }

    /// Booting under TCG on a loaded CI runner takes minutes: wait long for ssh. Run through
    /// vboxlab's own runner (spawn and waitpid): Foundation's `Process` was seen to miss the
    /// exit of a vboxlab that had started daemons, and wait for ever on its zombie.
    func run(_ args: [String], environment extra: [String: String] = [:]) throws -> CLI.Run {
        let binary = try #require(CLI.executable, "no built vboxlab")
        let env = place.env.merging([
            "XDG_RUNTIME_DIR": runtime, "VBOXLAB_SSH_WAIT": "900", "SWIFT_BACKTRACE": "enable=no",
        ]) { $1 }.merging(extra) { $1 }
        let r = try ProcessRunner().run(
            Command("env", ["-C", place.dir, binary] + args, environment: env, timeout: 1800))
        return CLI.Run(status: r.status, reason: .exit, stdout: r.stdout, stderr: r.stderr)
    }

    var qemuFolder: String { "\(place.state)/vboxlab/qemu/\(lab)" }

    /// The pids of the QEMUs that play this lab's VMs, read from /proc.
    func qemuPids() -> [Int] {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int.init).filter { pid in
            guard let data = fm.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return zip(argv, argv.dropFirst()).contains { $0 == "-name" && $1.hasPrefix("\(lab)-") }
        }
    }

    /// The host keys the lab's known_hosts learned, one per VM.
    func hostKeys() throws -> [String] {
        let text = try String(contentsOfFile: "\(place.state)/vboxlab/known_hosts/\(lab)", encoding: .utf8)
        var byHost: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ")
            if f.count >= 3 { byHost[String(f[0])] = String(f[2]) }
        }
        return Array(byHost.values)
    }

    /// Polls gently (every 5 s, up to 10 minutes) until the VM answers with another boot id.
    func waitForNewBoot(vm: String, old: String) throws -> Bool {
        let deadline = Date().addingTimeInterval(600)
        Thread.sleep(forTimeInterval: 10)
        while Date() < deadline {
            let r = try run(["ssh", vm, "--", "cat", "/proc/sys/kernel/random/boot_id"])
            if r.status == 0, !r.stdout.isEmpty, r.stdout != old { return true }
            Thread.sleep(forTimeInterval: 5)
        }
        return false
    }

    /// Each NIC of `status --json`: its VM and its promiscuous policy.
    func ports(_ json: String, vm: String? = nil) throws -> [(vm: String, policy: String)] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        var out: [(String, String)] = []
        for v in object?["vms"] as? [[String: Any]] ?? [] {
            let name = v["name"] as? String ?? ""
            for n in v["nics"] as? [[String: Any]] ?? [] where vm == nil || vm == name {
                out.append((name, n["promisc"] as? String ?? ""))
            }
        }
        return out
    }

    /// Any QEMU of this lab left by a failed run or an earlier test is killed.
    func killQemus() {
        for pid in qemuPids() { kill(pid_t(pid), SIGKILL) }
    }

    func cleanup() {
        _ = try? run(["destroy", "--all"])
        killQemus()
        place.cleanup(labs: [lab])
        try? FileManager.default.removeItem(atPath: runtime)
    }
}

/// A TCP port of 127.0.0.1 held by the test (bound and listening), as another program on
/// the host would hold it, until released.
final class TakenPort: @unchecked Sendable {
    private var fd: Int32

    init?(_ port: Int) {
        fd = socket(AF_INET, Sockets.stream, 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound, listen(fd, 1) == 0 else {
            close(fd)
            return nil
        }
    }

    func release() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { release() }
}
