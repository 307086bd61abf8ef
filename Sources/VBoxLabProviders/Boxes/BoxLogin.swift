import Foundation
import VBoxLabHost
import VBoxLabModel

/// The login that comes with a Vagrant box: user `vagrant`, the box's own key or the local
/// Vagrant installation's insecure key, until vboxlab puts a key of the lab's own in its place
/// (as Vagrant does). A spec's `ssh` fields override these one by one.
public enum BoxLogin {
    /// The VM's login: the spec's fields over the box's defaults (when the base is a box).
    public static func login(for vm: VMSpec, spec: LabSpec, resolver: () throws(VBoxLabError) -> VagrantBox?)
        throws(VBoxLabError) -> (login: SSHLogin?, boxKey: String?)
    {
        let given = vm.ssh ?? spec.ssh
        guard case .box? = vm.base ?? spec.base, given?.key == nil else { return (given, nil) }
        guard let box = try resolver() else { return (given, nil) }
        guard let key = box.privateKey ?? BoxResolver.insecureKey() else {
            throw .missing(
                what: "a key to log in to \(vm.name) (box \(box.name))",
                fix:
                    "the box ships no vagrant_private_key and no Vagrant installation was found for its insecure "
                    + "key; give ssh: { key: \"...\" } in the spec"
            )
        }
        var login = given ?? SSHLogin()
        if login.user == nil { login.user = "vagrant" }
        login.key = key
        return (login, key)
    }

    /// The lab's own key pair, made on first use beside the records.
    public static func labKey(_ lab: String, store: LabStore, runner: CommandRunner) throws(VBoxLabError) -> String {
        let path = store.labKey(lab)
        if !FileManager.default.fileExists(atPath: path) {
            // Without it ssh-keygen below fails and says where.
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            try runner.check(
                Command("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "vboxlab-\(lab)", "-f", path]))
        }
        return path
    }
}

/// A VM first reached with a box's key: on first use, the lab's key goes into the user's
/// `authorized_keys` and the box's key comes out; from then on only the lab's key logs in.
public final class KeyRotatingTransport: GuestTransport, @unchecked Sendable {
    let lab: SSHTransport
    let box: SSHTransport
    let progress: ProgressHandler
    private let lock = NSLock()
    private var chosen: SSHTransport?

    public init(lab: SSHTransport, box: SSHTransport, progress: @escaping ProgressHandler) {
        self.lab = lab
        self.box = box
        self.progress = progress
    }

    public var vm: String { lab.vm }
    public var summary: String { (chosen ?? lab).summary }
    public var login: String? {
        "\(box.target.user) with the box's key, then the lab's own (\(lab.target.key ?? "none"))"
    }
    public func command(_ argv: [String], input: String?) -> Command { (chosen ?? lab).command(argv, input: input) }
    public func hasProgram(_ program: String) -> Bool { ((try? current()) ?? lab).hasProgram(program) }
    public func interactive(line: String?) throws(VBoxLabError) -> Command { try current().interactive(line: line) }
    public func run(_ argv: [String], input: String?) throws(VBoxLabError) -> CommandResult {
        try current().run(argv, input: input)
    }
    public func close() {
        lab.close()
        box.close()
    }
    public func waitUntilReachable(wait: Double, progress: ProgressHandler) throws(VBoxLabError) {
        try lab.waitUntilReachable(wait: wait, progress: progress)
    }

    /// The lab's key if the VM takes it; else the box's, once, to put the lab's key in.
    func current() throws(VBoxLabError) -> SSHTransport {
        lock.lock()
        defer { lock.unlock() }
        if let chosen { return chosen }
        if (try? lab.runAsUser(["true"], input: nil))?.succeeded == true {
            chosen = lab
            return lab
        }
        let labPublic =
            ((try? String(contentsOfFile: SSHTarget.expand(lab.target.key!) + ".pub", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let boxPublic = try box.runner.check(Command("ssh-keygen", ["-y", "-f", SSHTarget.expand(box.target.key!)]))
            .stdout
        let blob = boxPublic.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        guard !blob.isEmpty, labPublic.split(separator: " ").count >= 2 else { throw .guest(.keysUnreadable(vm: vm)) }
        let script = """
            set -e
            umask 077
            mkdir -p "$HOME/.ssh"
            f="$HOME/.ssh/authorized_keys"
            touch "$f"
            grep -qF \(shellQuote(String(labPublic.split(separator: " ")[1]))) "$f" \\
                || printf '%s\\n' \(shellQuote(labPublic)) >> "$f"
            grep -vF \(shellQuote(blob)) "$f" > "$f.vboxlab" || true
            mv "$f.vboxlab" "$f"

            """
        let r = try box.runAsUser(["sh", "-s"], input: script)
        guard r.succeeded else {
            throw .commandFailed(
                command: box.command(["sh", "-s"], input: nil).description, status: r.status, stderr: r.stderr)
        }
        box.close()
        progress("\(vm): replaced the box's key with the lab's own in \(box.target.user)'s authorized_keys")
        chosen = lab
        return lab
    }
}
