import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// `vboxlab ssh VM -- WORDS` is like ssh: the words are joined with spaces for the guest's
/// shell, so a pipeline, `;` and quoting work as typed. A lab of the test's own (`vc-…`).
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct SSHCommandTests {
    @Test func wordsReachTheGuestsShellJoined() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vc-ssh"]) }
        try place.write("vc-ssh.json5", bundled: "bridge-lab", name: "vc-ssh")
        #expect(try place.run(["create", "vc-ssh", "--provider", "netns"]).status == 0)
        let both = try place.run(["ssh", "centos-2", "--lab", "vc-ssh", "--", "echo one; echo two"])
        #expect(both.status == 0 && both.stdout == "one\ntwo\n", "\(both.stdout)\(both.stderr)")
        let words = try place.run([
            "ssh", "centos-2", "--lab", "vc-ssh", "--", "ip", "-br", "link", "show", "type", "bridge", "|", "wc", "-l",
        ])
        #expect(words.status == 0 && words.stdout == "1\n", "\(words.stdout)\(words.stderr)")
        // The guest command's own exit status comes back, as ssh gives it.
        #expect(try place.run(["ssh", "centos-2", "--lab", "vc-ssh", "--", "exit 7"]).status == 7)
        // vboxlab's own failure keeps the contract's exit codes: a VM name the lab lacks is bad
        // usage (2), never a remote command's 1; found with --lab or without.
        for lab in [["--lab", "vc-ssh"], []] {
            let missing = try place.run(["ssh", "centos-9"] + lab + ["--", "true"])
            #expect(
                missing.status == 2
                    && missing.stderr
                        == "error: lab vc-ssh has no VM named centos-9; did you mean 'centos-1'? (its VMs: centos-1, "
                        + "centos-2, centos-3)\n",
                "\(missing.status) \(missing.stderr)")
        }
    }
}
