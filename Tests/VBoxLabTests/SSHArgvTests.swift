import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The ssh argv, exactly, and no way to turn host-key checking off.
@Suite struct SSHArgvTests {
    @Test func argvIsExact() {
        let target = SSHTarget(
            lab: "l", vm: "a", user: "vagrant", host: "127.0.0.1", port: 2222, key: "/k/id", proxyCommand: nil)
        let t = SSHTransport(
            target: target, runner: RecordingRunner(), knownHosts: "/s/known_hosts/l", controlDirectory: "/r/ssh-l")
        #expect(
            t.command(["sh", "-s"], input: "x").arguments == [
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=accept-new", "-o",
                "UserKnownHostsFile=/s/known_hosts/l",
                "-o", "HostKeyAlias=vboxlab-l-a", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-i", "/k/id",
                "-p", "2222",
                "-o", "ControlMaster=auto", "-o", "ControlPath=/r/ssh-l/%C", "-o", "ControlPersist=60", "-l", "vagrant",
                "--", "127.0.0.1", "sudo", "-n", "sh", "-s",
            ])
        let root = SSHTransport(
            target: SSHTarget(lab: "l", vm: "b", user: "root", host: "b", proxyCommand: "ip netns exec n sshd -i"),
            runner: RecordingRunner(), knownHosts: "/kh", controlDirectory: nil)
        let args = root.command(["fping", "-S", "1.1.1.10", "1.1.1.20"], input: nil).arguments
        #expect(
            Array(args.suffix(10)) == [
                "-o", "ProxyCommand=ip netns exec n sshd -i", "-l", "root", "--", "b", "fping", "-S", "1.1.1.10",
                "1.1.1.20",
            ])
        #expect(!args.contains { $0.hasPrefix("Control") })
        #expect(root.argv(["echo", "a b", "it's"]).suffix(5) == ["--", "b", "echo", "'a b'", "'it'\\''s'"])
    }

    /// `vboxlab ssh VM -- WORDS` hands the joined line to the guest as ssh does: as it is to
    /// the login user's shell, one argument, with nothing added for any user; no line,
    /// a terminal. A namespace's shell reads it with `-c`.
    @Test func aTypedLineReachesTheGuestsShellAsSshHandsItOver() throws {
        let root = SSHTransport(
            target: SSHTarget(lab: "l", vm: "b", user: "root", host: "b"), runner: RecordingRunner(), knownHosts: "/kh",
            controlDirectory: nil)
        #expect(
            try root.interactive(line: "ip -br link; bridge link").arguments.suffix(3) == [
                "--", "b", "ip -br link; bridge link",
            ])
        #expect(try root.interactive(line: nil).arguments.suffix(3) == ["-t", "--", "b"])
        let user = SSHTransport(
            target: SSHTarget(lab: "l", vm: "a", user: "vagrant", host: "h"), runner: RecordingRunner(),
            knownHosts: "/kh", controlDirectory: nil)
        #expect(
            try user.interactive(line: "echo it's; id -u").arguments.suffix(3) == [
                "--", "h", "echo it's; id -u",
            ])
        let ns = NetnsExecTransport(vm: "a", namespace: "vbl-l-a", runner: RecordingRunner())
        let shell = ProcessInfo.processInfo.environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        #expect(try ns.interactive(line: "a; b").arguments == ["netns", "exec", "vbl-l-a", shell, "-c", "a; b"])
        #expect(try ns.interactive(line: nil).arguments == ["netns", "exec", "vbl-l-a", shell])
    }

    /// Ending the shared connection puts `--` before the host too: a host that looks like an
    /// option is never read as one.
    @Test func closeArgvEndsOptionsBeforeTheHost() throws {
        let dir = NSTemporaryDirectory() + "vt-close-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = RecordingRunner()
        let t = SSHTransport(
            target: SSHTarget(lab: "l", vm: "a", user: "vagrant", host: "127.0.0.1", port: 2222), runner: runner,
            knownHosts: "/kh", controlDirectory: dir)
        t.close()
        #expect(
            runner.commands.map(\.arguments) == [
                ["-o", "ControlPath=\(dir)/%C", "-O", "exit", "-p", "2222", "-l", "vagrant", "--", "127.0.0.1"]
            ])
    }

    /// ssh reads an `-o` value as a config line: split at white space, `%` expanded. A state
    /// path with a space or a `%` must still name one file (and a host key go to it).
    @Test func pathsSshWouldSplitAreQuoted() {
        #expect(SSHTransport.configPath("/s/known_hosts/l") == "/s/known_hosts/l")
        #expect(SSHTransport.configPath("/my state/known_hosts/l") == "\"/my state/known_hosts/l\"")
        #expect(SSHTransport.configPath("/a%b/k") == "/a%%b/k")
        #expect(SSHTransport.configPath(#"/x "y"\z"#) == #""/x \"y\"\\z""#)
        let t = SSHTransport(
            target: SSHTarget(lab: "l", vm: "a", user: "root", host: "h"), runner: RecordingRunner(),
            knownHosts: "/my state/kh", controlDirectory: "/run dir/ssh-l")
        let args = t.command(["true"], input: nil).arguments
        #expect(
            args.contains("UserKnownHostsFile=\"/my state/kh\"") && args.contains("ControlPath=\"/run dir/ssh-l\"/%C"),
            "\(args)")
    }

    /// No source file turns host-key checking off or throws the keys away.
    @Test func nothingDisablesHostKeyChecking() throws {
        let files = FileManager.default.enumerator(atPath: "\(packageRoot)/Sources")!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        for f in files {
            let text = try String(contentsOfFile: "\(packageRoot)/Sources/\(f)", encoding: .utf8)
            #expect(
                !text.contains("StrictHostKeyChecking=no") && !text.contains("UserKnownHostsFile=/dev/null"), "\(f)")
        }
    }

    /// Answers ssh as a booting guest does, one result per call, the last one again after.
    final class AnsweringRunner: CommandRunner, @unchecked Sendable {
        private var answers: [CommandResult]
        private(set) var calls = 0
        init(_ answers: [CommandResult]) { self.answers = answers }
        func run(_ command: Command) throws(VBoxLabError) -> CommandResult {
            calls += 1
            return answers.count > 1 ? answers.removeFirst() : answers[0]
        }
    }

    /// A booting guest is tried again at most a second after each refusal (0.5 s, then 1 s,
    /// never more), so it is seen soon after its sshd listens: 6 refusals cost 5.5 s, where
    /// waits doubling to 5 s cost 17.5 s.
    @Test func aBootingGuestIsTriedAtLeastEverySecond() throws {
        let dir = NSTemporaryDirectory() + "vt-wait-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let refused = CommandResult(status: 255, stderr: "ssh: connect to host a port 22: Connection refused\r\n")
        let runner = AnsweringRunner(Array(repeating: refused, count: 6) + [CommandResult(status: 0)])
        let transport = SSHTransport(
            target: SSHTarget(lab: "l", vm: "a", user: "root", host: "a", proxyCommand: "false"), runner: runner,
            knownHosts: "\(dir)/known_hosts", controlDirectory: nil)
        let started = Date()
        try transport.waitUntilReachable(wait: 60, progress: { _ in })
        let took = Date().timeIntervalSince(started)
        #expect(runner.calls == 7)
        #expect(took >= 5.4 && took < 12, "\(took) s")
    }

    /// A connection that closes as ssh sends its banner is silent at LogLevel=ERROR (exit 255,
    /// nothing said, "Broken pipe" only in ssh's debug output): the wait goes on through it,
    /// and says so when it gives up, as it does for a closed or refused connection.
    @Test func aSilentCloseIsWaitedThrough() throws {
        let dir = NSTemporaryDirectory() + "vt-wait-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func transport(_ runner: AnsweringRunner) -> SSHTransport {
            SSHTransport(
                target: SSHTarget(lab: "l", vm: "a", user: "root", host: "a", proxyCommand: "false"), runner: runner,
                knownHosts: "\(dir)/known_hosts", controlDirectory: nil)
        }
        let booting = AnsweringRunner([
            CommandResult(status: 255),
            CommandResult(status: 255, stderr: "kex_exchange_identification: Connection closed by remote host\r\n"),
            CommandResult(status: 0),
        ])
        try transport(booting).waitUntilReachable(wait: 30, progress: { _ in })
        #expect(booting.calls == 3)
        let silent = AnsweringRunner([CommandResult(status: 255, stderr: " \n")])
        #expect(
            throws: VBoxLabError.guest(
                .noAnswer(
                    vm: "a", target: "root@a (through ProxyCommand)", seconds: 1,
                    tried: transport(silent).command(["true"], input: nil).description,
                    last: "ssh exited 255 and said nothing (the connection closed as it began)"))
        ) {
            try transport(silent).waitUntilReachable(wait: 1, progress: { _ in })
        }
        // A remote command's own failure is no reason to wait: it is said at once.
        let failing = AnsweringRunner([CommandResult(status: 1)])
        #expect(throws: VBoxLabError.self) { try transport(failing).waitUntilReachable(wait: 30, progress: { _ in }) }
        #expect(failing.calls == 1)
    }
}
