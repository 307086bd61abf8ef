import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// ssh can be pointed at nothing but the lab's guests, and keeps to the lab's own files.
extension SSHTests {
    /// A state path with a space stays one path for ssh: host keys go to the lab's
    /// known_hosts, and destroy forgets them.
    @Test func stateWithASpaceKeepsOneKnownHostsFile() throws {
        let s = try SSHPlace()
        defer { s.cleanup(labs: ["vt-space"]) }
        try s.writeSeed("vt-space")
        let env = ["XDG_STATE_HOME": s.dir + "/my state", "XDG_RUNTIME_DIR": s.dir + "/my run"]
        func run(_ args: [String]) throws -> CLI.Run { try CLI.run(args, cwd: s.dir, env: env) }
        #expect(try run(["create", "--provider", "netns", "--no-setup"]).status == 0)
        let setup = try run(["ssh-setup", "centos-1"])
        #expect(setup.status == 0, "\(setup.stderr)")
        let known = s.dir + "/my state/vboxlab/known_hosts/vt-space"
        #expect((try? String(contentsOfFile: known, encoding: .utf8))?.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: s.dir + "/my"), "ssh split the path at the space")
        #expect(try run(["destroy"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: known))
    }

    /// A control directory someone else made first (with a master socket of their own inside)
    /// is refused, named with its owner; vboxlab never talks through it.
    @Test func controlDirectoryOfAnotherUserIsRefused() throws {
        let s = try SSHPlace()
        defer { s.cleanup(labs: ["vt-imp"]) }
        try s.writeSeed("vt-imp")
        #expect(try s.run(["create", "--provider", "netns", "--no-setup"]).status == 0)
        // Where ssh's shared connections for the lab go (a short path under /tmp when the runtime
        // directory is too deep for a socket's name).
        let context = ProviderContext(
            reader: RecordingRunner(), store: LabStore(directory: s.place.state + "/vboxlab/labs"),
            runtime: s.place.state + "/run/vboxlab")
        let control = context.sshControlDirectory("vt-imp")
        try FileManager.default.createDirectory(
            atPath: control, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        #expect(chown(control, 65534, 65534) == 0)
        let r = try s.run(["ssh", "centos-1", "--", "hostname"])
        #expect(r.status == 3 && r.stdout.isEmpty, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.hasPrefix("error: refusing to use \(control): it belongs to "), "\(r.stderr)")
        #expect(r.stderr.contains("(uid 65534), not to root (uid 0)"), "\(r.stderr)")
        try FileManager.default.removeItem(atPath: control)
    }

    /// A host that ssh would read as an option never reaches ssh: validate refuses it.
    @Test func optionLikeHostIsRefusedBeforeSsh() throws {
        let s = try SSHPlace()
        defer { s.cleanup(labs: ["vt-opt"]) }
        let marker = s.dir + "/ran"
        try s.writeSeed("vt-opt")
        let spec = s.dir + "/vt-opt.json5"
        let text = try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(
            of: #"host: "centos-1""#, with: #"host: "-oProxyCommand=touch \#(marker)""#)
        try text.write(toFile: spec, atomically: true, encoding: .utf8)
        let r = try s.run(["ssh", "centos-1", "--lab", "vt-opt", "--", "true"])
        #expect(try s.run(["validate", "vt-opt"]).status == 2)
        #expect(
            r.status == 2
                && r.stderr.contains(
                    #"vms[0].ssh.host: "-oProxyCommand=touch \#(marker)" is not a host name or address"#),
            "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
