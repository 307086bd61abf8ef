import Foundation
import Testing
@testable import VBoxLab

/// The ssh argv, exactly, and no way to turn host-key checking off.
@Suite struct SSHArgvTests {
    @Test func argvIsExact() {
        let target = SSHTarget(lab: "l", vm: "a", user: "vagrant", host: "127.0.0.1", port: 2222, key: "/k/id", proxyCommand: nil)
        let t = SSHTransport(target: target, runner: RecordingRunner(), knownHosts: "/s/known_hosts/l", controlDirectory: "/r/ssh-l")
        #expect(t.command(["sh", "-s"], input: "x").arguments == [
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=/s/known_hosts/l",
            "-o", "HostKeyAlias=vboxlab-l-a", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-i", "/k/id", "-p", "2222",
            "-o", "ControlMaster=auto", "-o", "ControlPath=/r/ssh-l/%C", "-o", "ControlPersist=60", "-l", "vagrant",
            "--", "127.0.0.1", "sudo", "-n", "sh", "-s",
        ])
        let root = SSHTransport(target: SSHTarget(lab: "l", vm: "b", user: "root", host: "b", proxyCommand: "ip netns exec n sshd -i"),
                                runner: RecordingRunner(), knownHosts: "/kh", controlDirectory: nil)
        let args = root.command(["fping", "-S", "1.1.1.10", "1.1.1.20"], input: nil).arguments
        #expect(Array(args.suffix(10)) == ["-o", "ProxyCommand=ip netns exec n sshd -i", "-l", "root", "--", "b", "fping", "-S", "1.1.1.10", "1.1.1.20"])
        #expect(!args.contains { $0.hasPrefix("Control") })
        #expect(root.argv(["echo", "a b", "it's"]).suffix(5) == ["--", "b", "echo", "'a b'", "'it'\\''s'"])
    }

    /// Ending the shared connection puts `--` before the host too: a host that looks like an
    /// option is never read as one.
    @Test func closeArgvEndsOptionsBeforeTheHost() throws {
        let dir = NSTemporaryDirectory() + "vt-close-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = RecordingRunner()
        let t = SSHTransport(target: SSHTarget(lab: "l", vm: "a", user: "vagrant", host: "127.0.0.1", port: 2222), runner: runner,
                             knownHosts: "/kh", controlDirectory: dir)
        t.close()
        #expect(runner.commands.map(\.arguments) == [["-o", "ControlPath=\(dir)/%C", "-O", "exit", "-p", "2222", "-l", "vagrant", "--", "127.0.0.1"]])
    }

    /// ssh reads an `-o` value as a config line: split at white space, `%` expanded. A state
    /// path with a space or a `%` must still name one file (and a host key go to it).
    @Test func pathsSshWouldSplitAreQuoted() {
        #expect(SSHTransport.configPath("/s/known_hosts/l") == "/s/known_hosts/l")
        #expect(SSHTransport.configPath("/my state/known_hosts/l") == "\"/my state/known_hosts/l\"")
        #expect(SSHTransport.configPath("/a%b/k") == "/a%%b/k")
        #expect(SSHTransport.configPath(#"/x "y"\z"#) == #""/x \"y\"\\z""#)
        let t = SSHTransport(target: SSHTarget(lab: "l", vm: "a", user: "root", host: "h"), runner: RecordingRunner(),
                             knownHosts: "/my state/kh", controlDirectory: "/run dir/ssh-l")
        let args = t.command(["true"], input: nil).arguments
        #expect(args.contains("UserKnownHostsFile=\"/my state/kh\"") && args.contains("ControlPath=\"/run dir/ssh-l\"/%C"), "\(args)")
    }

    /// No source file turns host-key checking off or throws the keys away.
    @Test func nothingDisablesHostKeyChecking() throws {
        let files = FileManager.default.enumerator(atPath: "\(packageRoot)/Sources")!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        for f in files {
            let text = try String(contentsOfFile: "\(packageRoot)/Sources/\(f)", encoding: .utf8)
            #expect(!text.contains("StrictHostKeyChecking=no") && !text.contains("UserKnownHostsFile=/dev/null"), "\(f)")
        }
    }
}
