import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Whether the Debian package can be made and tried here: root (debootstrap, chroot, the
/// namespaces of the seed), Swift, and dpkg's tools.
enum PackageGate {
    static let reason: String? = {
        if geteuid() != 0 { return "not root" }
        for tool in ["swift", "dpkg-deb", "dpkg-shlibdeps", "strip", "debootstrap", "unshare", "chroot", "lintian"]
        where ProcessRunner.resolve(tool) == nil {
            return "no \(tool) (apt-get install dpkg-dev binutils debootstrap util-linux lintian)"
        }
        return nil
    }()
    static var available: Bool {
        if let reason { print("skipping the package tests: \(reason)") }
        return reason == nil
    }
    static var required: Bool { ProcessInfo.processInfo.environment["VBOXLAB_REQUIRE_PACKAGE"] == "1" }
}

@Test func packageGateHoldsWhereRequired() {
    if PackageGate.required {
        #expect(PackageGate.reason == nil, "VBOXLAB_REQUIRE_PACKAGE=1 but: \(PackageGate.reason ?? "")")
    }
}

/// `scripts/package` as a packager runs it, then the package as a user meets it: installed
/// by apt into a clean Debian 12 root that has no Swift (made once by `scripts/debian-root`,
/// copied for each run, with no network inside), then purged; and the same binary, unpacked
/// outside the tree, running the seed lab on this host in namespaces.
@Suite(.serialized, .enabled(if: PackageGate.available, "needs root, Swift, dpkg-dev, debootstrap and lintian"))
struct PackageTests {
    /// The package, made once for the suite (a release build: about two minutes).
    static let made: Result<String, PackageFailure> = {
        let out: String
        do { out = try CLI.tempDir().path } catch { return .failure(PackageFailure(text: "\(error)")) }
        let r = try? ProcessRunner().run(
            Command("\(packageRoot)/scripts/package", ["--out", out, "--lint"], timeout: 1200))
        guard let r, r.status == 0 else {
            return .failure(PackageFailure(text: "scripts/package failed: \(r?.stderr.suffix(3000) ?? "")"))
        }
        return .success(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }()
    struct PackageFailure: Error { let text: String }

    static func deb() throws -> String {
        switch made {
        case .success(let path): return path
        case .failure(let f):
            Issue.record("\(f.text)")
            throw f
        }
    }

    /// A copy of the clean root, removed afterwards even when the test fails.
    final class Root {
        let path: String
        init() throws {
            let made = try ProcessRunner().run(Command("\(packageRoot)/scripts/debian-root", [], timeout: 900))
            guard made.status == 0 else { throw PackageFailure(text: "scripts/debian-root failed: \(made.stderr)") }
            let clean = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            path = try CLI.tempDir().path
            let copy = try ProcessRunner().run(Command("cp", ["-a", "\(clean)/.", path], timeout: 300))
            guard copy.status == 0 else { throw PackageFailure(text: "cp: \(copy.stderr)") }
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// A program inside the root: its own /proc, and no network (a new, empty network
        /// namespace), so apt can only use what the root already holds.
        func run(_ args: [String]) throws -> CommandResult {
            try ProcessRunner().run(
                Command(
                    "unshare",
                    [
                        "--fork", "--pid", "--mount", "--net", "--mount-proc=\(path)/proc",
                        "chroot", path, "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8",
                        "DEBIAN_FRONTEND=noninteractive",
                    ] + args, timeout: 300))
        }
        func exists(_ file: String) -> Bool {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: path + file, isDirectory: &isDir) && !isDir.boolValue
        }
    }

    @Test func installsOnACleanDebianAndPurgesClean() throws {
        let deb = try Self.deb()
        let root = try Root()
        #expect(!root.exists("/usr/bin/swift") && !root.exists("/usr/bin/vboxlab"), "the root must be clean")
        let name = (deb as NSString).lastPathComponent
        try FileManager.default.copyItem(atPath: deb, toPath: "\(root.path)/tmp/\(name)")

        let install = try root.run(["apt-get", "install", "-y", "-q", "/tmp/\(name)"])
        #expect(install.status == 0, "\(install.stdout.suffix(2000))\(install.stderr)")
        #expect(
            install.stdout.contains("Setting up iproute2") && install.stdout.contains("Setting up openssh-client"),
            "apt resolves the dependencies: \(install.stdout.suffix(2000))")
        let files = try root.run(["dpkg", "-L", "vboxlab"]).stdout.split(separator: "\n").map(String.init).filter(
            root.exists)
        for file in [
            "/usr/bin/vboxlab", "/usr/share/vboxlab/labs/bridge-lab.json5", "/usr/share/man/man1/vboxlab.1.gz",
            "/usr/share/bash-completion/completions/vboxlab", "/usr/share/zsh/vendor-completions/_vboxlab",
            "/usr/share/fish/vendor_completions.d/vboxlab.fish", "/usr/share/doc/vboxlab/copyright",
            "/usr/share/doc/vboxlab/changelog.gz",
        ] {
            #expect(files.contains(file), "\(file) is not in the package")
        }

        let version = try root.run(["vboxlab", "--version"])
        #expect(
            version.status == 0 && version.stdout.hasPrefix("vboxlab 0.6.0 (commit "),
            "\(version.stdout)\(version.stderr)")
        #expect(!version.stdout.contains("unknown"), "\(version.stdout)")
        // A bundled lab by name from a directory that has none: the labs in /usr/share/vboxlab.
        let validate = try root.run(["sh", "-c", "cd /tmp && vboxlab validate bridge-lab"])
        #expect(validate.status == 0 && validate.stderr.isEmpty, "\(validate.stderr)")
        let plan = try root.run(["sh", "-c", "cd / && vboxlab plan bridge-lab --json"])
        #expect(plan.status == 0 && plan.stdout.hasPrefix("{\"lab\":\"bridge-lab\""), "\(plan.stdout)\(plan.stderr)")
        let man = try root.run(["man", "-w", "vboxlab"])
        #expect(man.status == 0 && man.stdout == "/usr/share/man/man1/vboxlab.1.gz\n", "\(man.stdout)\(man.stderr)")
        let page = try root.run(["sh", "-c", "MANWIDTH=80 man vboxlab | col -b"])
        #expect(
            page.stdout.contains("vboxlab - builds VirtualBox labs") && page.stdout.contains("EXIT STATUS"),
            "\(page.stdout.prefix(500))")
        // bash-completion's own loader finds the file by the command's name; a Tab after `cr`.
        let bash = try root.run([
            "bash", "-c",
            """
            source /usr/share/bash-completion/bash_completion && __load_completion vboxlab && COMP_WORDS=(vboxlab cr) \
            && COMP_CWORD=1 && COMP_LINE='vboxlab cr' && COMP_POINT=10 && _vboxlab vboxlab cr vboxlab \
            && printf '%s\\n' "${COMPREPLY[@]}"
            """,
        ])
        #expect(bash.status == 0 && bash.stdout == "create\n", "\(bash.stdout)\(bash.stderr)")

        let purge = try root.run(["apt-get", "purge", "-y", "-q", "vboxlab"])
        #expect(purge.status == 0, "\(purge.stderr)")
        let left = files.filter(root.exists)
        #expect(left.isEmpty, "purge left \(left)")
        for dir in ["/usr/share/vboxlab", "/usr/share/doc/vboxlab"] {
            #expect(!FileManager.default.fileExists(atPath: root.path + dir), "purge left \(dir)")
        }
    }

    /// The packaged binary on this host, outside the source tree, as `apt install` would put it
    /// (unpacked into a folder of the test's own, so nothing of the host's is changed): the
    /// seed lab by name on netns passes, and destroy leaves nothing.
    @Test(.enabled(if: NetnsGate.available, "needs network namespaces"))
    func installedBinaryRunsTheSeedOnTheHost() throws {
        let deb = try Self.deb()
        let place = try CLI.tempDir().path
        defer { try? FileManager.default.removeItem(atPath: place) }
        let unpack = try ProcessRunner().run(Command("dpkg-deb", ["-x", deb, "\(place)/root"]))
        #expect(unpack.status == 0, "\(unpack.stderr)")
        let vboxlab = "\(place)/root/usr/bin/vboxlab"
        let ours = { () throws -> [String] in
            try ProcessRunner().run(Command("ip", ["netns", "list"])).stdout.split(separator: "\n")
                .map { String($0.split(separator: " ")[0]) }.filter { $0.hasPrefix("vbl-bridge-lab-") }
        }
        // A bridge-lab of the user's own on this host is never touched: the test stops instead.
        let before = try ours()
        try #require(before.isEmpty, "namespaces of a bridge-lab exist on this host already: \(before)")
        let env = [
            "XDG_STATE_HOME": "\(place)/state", "XDG_RUNTIME_DIR": "\(place)/run", "HOME": place,
            "VBOXLAB_PROVIDER": "", "VBOXLAB_HOME": "", "SWIFT_BACKTRACE": "enable=no",
        ]
        func run(_ args: [String]) throws -> CommandResult {
            try ProcessRunner().run(
                Command("/usr/bin/env", ["-C", place, vboxlab] + args, environment: env, timeout: 300))
        }
        defer {
            _ = try? run(["destroy", "bridge-lab", "--provider", "netns"])
            for ns in (try? ours()) ?? [] { _ = try? ProcessRunner().run(Command("ip", ["netns", "del", ns])) }
        }
        let create = try run(["create", "bridge-lab", "--provider", "netns"])
        #expect(
            create.status == 0 && create.stdout.contains("bridge-lab: 2 of 2 pairs reached"),
            "\(create.stdout)\(create.stderr)")
        #expect(try run(["check", "bridge-lab"]).status == 0)
        // From the source tree, whose labs/ holds the same seed: one lab, one spec, not a question.
        let fromClone = try ProcessRunner().run(
            Command(
                "/usr/bin/env", ["-C", packageRoot, vboxlab, "check", "bridge-lab"],
                environment: env, timeout: 120))
        #expect(
            fromClone.status == 0 && fromClone.stdout.contains("bridge-lab: 2 of 2 pairs reached"),
            "\(fromClone.stdout)\(fromClone.stderr)")
        let destroy = try run(["destroy", "bridge-lab"])
        #expect(destroy.status == 0, "\(destroy.stderr)")
        let after = try ours()
        #expect(after.isEmpty, "destroy left \(after)")
        let records = (try? FileManager.default.contentsOfDirectory(atPath: "\(place)/state/vboxlab/labs")) ?? []
        #expect(records.filter { $0.hasPrefix("bridge-lab") }.isEmpty, "destroy left the record: \(records)")
    }
}
