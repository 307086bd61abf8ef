import Foundation
import VBoxLabHost
import VBoxLabModel

/// Where a VM's sshd is: from the spec's `ssh` block, or (VirtualBox) the VM's NAT
/// forward on 127.0.0.1.
public struct SSHTarget: Sendable, Equatable {
    public var lab: String
    public var vm: String
    public var user: String
    public var host: String
    public var port: Int?
    /// The private key, `~` expanded.
    public var key: String?
    /// As ssh's ProxyCommand: a jump host, or the tests' `ip netns exec NS sshd -i`.
    public var proxyCommand: String?

    public init(
        lab: String, vm: String, user: String, host: String, port: Int? = nil, key: String? = nil,
        proxyCommand: String? = nil
    ) {
        self.lab = lab
        self.vm = vm
        self.user = user
        self.host = host
        self.port = port
        self.key = key
        self.proxyCommand = proxyCommand
    }

    /// The name the VM's host key is kept under: the lab's VM, not an address and port
    /// that another VM may have tomorrow.
    public var hostKeyAlias: String { "vboxlab-\(lab)-\(vm)" }
    public var described: String {
        "\(user)@\(host)\(port.map { ":\($0)" } ?? "")\(proxyCommand != nil ? " (through ProxyCommand)" : "")"
    }

    /// `~/...` to the user's home.
    public static func expand(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return NSHomeDirectory() + String(path.dropFirst(1))
    }
}

/// A VM reached with the system `ssh`, always as an argument array: batch mode (never a
/// prompt), a connect timeout, the lab's own known_hosts with trust on first use, and one
/// shared connection per VM (ControlMaster) so that many commands pay one handshake.
/// Remote words are shell-quoted one by one, so the remote shell rebuilds the argv exactly;
/// scripts travel on standard input to `sh -s`, with `sudo -n` when the user is not root.
public struct SSHTransport: GuestTransport {
    public let target: SSHTarget
    public let runner: CommandRunner
    public let knownHosts: String
    /// Directory of the control sockets (short: a socket path must fit in 108 bytes).
    public let controlDirectory: String?
    public var connectTimeout = 10
    /// Seconds one command may take.
    public var timeout = 300.0

    public init(target: SSHTarget, runner: CommandRunner, knownHosts: String, controlDirectory: String?) {
        self.target = target
        self.runner = runner
        self.knownHosts = knownHosts
        self.controlDirectory = controlDirectory
    }

    public var vm: String { target.vm }
    public var summary: String { "ssh \(target.described)" }
    public var login: String? { "\(target.user) with \(target.key ?? "ssh's default keys")" }

    /// The options before the destination, every one of them fixed or from the spec.
    public var options: [String] {
        var o = [
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeout)", "-o", "StrictHostKeyChecking=accept-new",
            "-o", "UserKnownHostsFile=\(Self.configPath(knownHosts))", "-o", "HostKeyAlias=\(target.hostKeyAlias)",
            "-o", "LogLevel=ERROR",
        ]
        if let key = target.key { o += ["-o", "IdentitiesOnly=yes", "-i", SSHTarget.expand(key)] }
        if let port = target.port { o += ["-p", String(port)] }
        if let proxy = target.proxyCommand { o += ["-o", "ProxyCommand=\(proxy)"] }
        if let dir = controlDirectory {
            o += [
                "-o", "ControlMaster=auto", "-o", "ControlPath=\(Self.configPath(dir))/%C", "-o", "ControlPersist=60",
            ]
        }
        return o + ["-l", target.user]
    }

    /// A path as the value of an `-o` option, which ssh reads as a line of its config: split
    /// at white space unless quoted, and with `%` tokens expanded. So a path with a space
    /// stays one path, and a `%` in it stays a `%`.
    static func configPath(_ path: String) -> String {
        let literal = path.replacingOccurrences(of: "%", with: "%%")
        guard literal.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "\\" }) else {
            return literal
        }
        return "\"" + literal.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// `ssh OPTIONS -- HOST WORDS`, each remote word quoted for the remote shell. The `--`
    /// comes before the destination, so no host can be read as an option.
    public func argv(_ remote: [String], tty: Bool = false) -> [String] {
        options + (tty ? ["-t"] : []) + ["--", target.host] + remote.map(shellQuote)
    }

    /// A command as the user runs it, under `sudo -n` for anyone but root.
    func privileged(_ argv: [String]) -> [String] { target.user == "root" ? argv : ["sudo", "-n"] + argv }

    public func command(_ argv: [String], input: String?) -> Command {
        Command(
            "ssh", self.argv(privileged(argv)), input: input, timeout: timeout, outputLimit: Command.guestOutputLimit)
    }

    public func run(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult {
        try execute(privileged(argv), input: input)
    }

    /// As the login user, without sudo (the user's own files: authorized_keys).
    public func runAsUser(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult {
        try execute(argv, input: input)
    }

    func execute(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult {
        try prepare()
        let r = try runner.run(
            Command("ssh", self.argv(argv), input: input, timeout: timeout, outputLimit: Command.guestOutputLimit)
        ).fromGuest
        if r.status == 255 || r.stderr.contains("sudo: a password is required")
            || r.stderr.contains("sudo: a terminal is required")
        {
            throw explain(r)
        }
        return r
    }

    public func hasProgram(_ program: String) -> Bool {
        // `command -v` as the login user (a builtin: no sudo in front), words quoted one by one.
        (try? runAsUser(["command", "-v", program], input: nil))?.succeeded ?? false
    }

    /// As ssh itself: the line the user typed goes to the login user's shell as it is, one
    /// argument; vboxlab adds nothing to it (a user who is not root types `sudo` as with ssh).
    public func interactive(line: String?) throws(VBoxLabError) -> Command {
        try prepare()
        guard let line else { return Command("ssh", argv([], tty: true)) }
        return Command("ssh", options + ["--", target.host, line])
    }

    /// Ends the shared connection, so that the next command connects afresh (and checks the
    /// host key again: a VM made anew must not ride on the old VM's connection).
    public func close() {
        guard let dir = controlDirectory, FileManager.default.fileExists(atPath: dir) else { return }
        _ = try? runner.run(
            Command(
                "ssh",
                ["-o", "ControlPath=\(Self.configPath(dir))/%C", "-O", "exit"]
                    + (target.port.map { ["-p", String($0)] } ?? [])
                    + ["-l", target.user, "--", target.host], timeout: 10))
    }

    /// Retries while the VM boots (connection refused, timed out, closed), with a progress
    /// line, until `wait` seconds have passed; then fails with what was tried.
    public func waitUntilReachable(wait: Double, progress: ProgressHandler) throws(VBoxLabError) {
        let started = Date()
        var delay = 0.5
        while true {
            try prepare()
            let r = try runner.run(Command("ssh", argv(["true"]), timeout: Double(connectTimeout) + 5))
            // An sshd that refuses the key has answered: the command that follows says why.
            if r.succeeded || r.stderr.contains("Permission denied") { return }
            let e = explain(r)
            guard Self.isTransient(r.stderr) || r.status == 124 || Self.diedUnheard(r) else { throw e }
            let waited = Date().timeIntervalSince(started)
            if waited + delay > wait {
                throw .guest(
                    .noAnswer(
                        vm: vm, target: target.described, seconds: Int(wait),
                        tried: Command("ssh", argv(["true"])).description,
                        last: Self.diedUnheard(r)
                            ? "ssh exited 255 and said nothing (the connection closed as it began)"
                            : r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            progress("waiting for ssh on \(vm) (\(target.described)) \(Int(waited)) s")
            Thread.sleep(forTimeInterval: delay)
            // At most a second between tries, so a guest is seen soon after its sshd listens
            // (5 s cost up to 5 s of every lab's boot); each try is one short-lived ssh.
            delay = min(delay * 2, 1)
        }
    }

    /// ssh's own failure (255) with nothing said: at LogLevel=ERROR, a connection that dies
    /// while ssh sends its banner ("Broken pipe", as when a NAT forward or proxy closes at once
    /// on a guest still booting) is silent. The command waited for is `true`, so 255 is ssh's.
    static func diedUnheard(_ r: CommandResult) -> Bool {
        r.status == 255 && r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    static func isTransient(_ stderr: String) -> Bool {
        [
            "Connection refused", "Connection timed out", "Connection closed", "Connection reset", "No route to host",
            "connect to host", "kex_exchange_identification", "banner exchange",
        ].contains { stderr.contains($0) }
    }

    /// ssh's failures, as sentences that name the VM and what to do.
    func explain(_ r: CommandResult) -> VBoxLabError {
        let said = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        let line = Command("ssh", argv(["..."])).description
        if said.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || said.contains("Host key verification failed") {
            return .guest(
                .hostKeyChanged(
                    vm: vm, target: target.described,
                    fix: "ssh-keygen -R \(target.hostKeyAlias) -f \(shellQuote(knownHosts))"))
        }
        if said.contains("Permission denied") {
            return .system(
                .sshKeyRefused(
                    command: line, status: r.status, vm: vm, user: target.user,
                    key: target.key.map(SSHTarget.expand) ?? "(ssh's default keys)", said: said))
        }
        if said.contains("sudo: a password is required") || said.contains("sudo: a terminal is required") {
            return .guest(.noSudo(vm: vm, user: target.user))
        }
        return .commandFailed(command: line, status: r.status, stderr: said.isEmpty ? "ssh to \(vm) failed" : said)
    }

    /// The known_hosts file and the control socket directory exist before ssh needs them.
    func prepare() throws(VBoxLabError) {
        let fm = FileManager.default
        // Without it ssh itself says it cannot write known_hosts, naming the file.
        try? fm.createDirectory(
            atPath: (knownHosts as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if let dir = controlDirectory { try PrivateDirectory.ensure(dir) }
    }
}
