import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Real OpenSSH: `sshd` in inetd mode inside a lab's namespace, reached through ssh's
/// ProxyCommand (`ip netns exec NS sshd -i -f CONFIG`): no port is opened, no traffic
/// leaves the namespace. Host key and authorized key are the test's own.
enum SSHGate {
    static let reason: String? = {
        if let r = NetnsGate.reason { return r }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            return "no sshd (apt-get install openssh-server)"
        }
        guard ProcessRunner.resolve("ssh") != nil, ProcessRunner.resolve("ssh-keygen") != nil else {
            return "no ssh client"
        }
        return nil
    }()
    static var available: Bool {
        if let reason { print("skipping ssh tests: \(reason)") }
        return reason == nil
    }
    static var required: Bool { ProcessInfo.processInfo.environment["VBOXLAB_REQUIRE_SSH"] == "1" }
}

/// Keys and an sshd configuration for one test, and specs whose VMs are reached through it.
struct SSHPlace {
    let place: CLIPlace
    var dir: String { place.dir }
    var key: String { dir + "/userkey" }

    init() throws {
        place = try CLIPlace()
        // sshd's privilege separation
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for k in ["hostkey", "userkey", "otherkey"] { try keygen(dir + "/" + k) }
        try FileManager.default.copyItem(atPath: dir + "/userkey.pub", toPath: dir + "/authorized_keys")
        try """
        HostKey \(dir)/hostkey
        AuthorizedKeysFile \(dir)/authorized_keys
        StrictModes no
        UsePAM no
        PermitRootLogin prohibit-password
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        LogLevel ERROR

        """.write(toFile: dir + "/sshd_config", atomically: true, encoding: .utf8)
    }

    func keygen(_ path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + ".pub")
        try ProcessRunner().check(Command("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path]))
    }

    /// The seed under another name, each VM with an ssh block reaching sshd in its namespace.
    @discardableResult
    func writeSeed(_ lab: String, user: String = "root", key: String? = nil, proxy: ((String) -> String)? = nil) throws
        -> String
    {
        let names = NetnsNames(lab: lab)
        func ssh(_ vm: String) -> String {
            let p = proxy?(vm) ?? "ip netns exec \(names.vmNamespace(vm)) /usr/sbin/sshd -i -f \(dir)/sshd_config"
            return #"ssh: { user: "\#(user)", key: "\#(key ?? self.key)", host: "\#(vm)", proxyCommand: "\#(p)" }"#
        }
        return try place.write(
            "\(lab).json5", name: lab,
            text: """
                { name: "\(lab)", vms: [
                  { name: "centos-1", \(ssh("centos-1")), nics: [ { network: "intnet-1", ip: "1.1.1.10/24" } ] },
                  { name: "centos-2", \(ssh("centos-2")), nics: [ { network: "intnet-1" }, { network: "intnet-2" } ],
                    bridges: [ { name: "br0", ports: ["intnet-1", "intnet-2"] } ] },
                  { name: "centos-3", \(ssh("centos-3")), nics: [ { network: "intnet-2", ip: "1.1.1.20/24" } ] },
                ] }
                """)
    }

    func run(_ args: [String]) throws -> CLI.Run { try place.run(args) }
    func cleanup(labs: [String]) { place.cleanup(labs: labs) }
}
