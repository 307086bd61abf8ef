import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The VirtualBox path as a user lives it, against the real VBoxManage and the shim.
extension VirtualBoxTests {
    /// The seed created under two lab names at once: both as their plans say, under names of
    /// their own, and no internal network in common (no frame crosses between them).
    @Test func oneSeedTwoLabsShareNothing() throws {
        let place = try VBoxPlace(tag: "twice")
        defer { place.cleanup() }
        var networks: [String: Set<String>] = [:]
        for lab in ["vb-one", "vb-two"] {
            let file = try place.write(lab, bundled: "bridge-lab")
            #expect(try place.run(["create", lab, "--no-setup", "--provider", "virtualbox"]).status == 0)
            let plan = try Solver.plan(try LabLoader.load(file), strategy: nil)
            for (vm, uuid) in try place.recorded(lab) {
                let keys = try place.read(uuid).keys
                #expect(keys["name"] == "\(lab)-\(vm)")
                for nic in plan.nics(of: vm) {
                    #expect(
                        keys["intnet\(nic.slot)"] == "\(lab)-\(nic.network)"
                            && keys["macaddress\(nic.slot)"] == nic.mac.bareUpperHex)
                    networks[lab, default: []].insert(keys["intnet\(nic.slot)"] ?? "")
                }
            }
        }
        #expect(networks["vb-one"]!.isDisjoint(with: networks["vb-two"]!) && networks["vb-one"]!.count == 2)
        // Commands keep the spec's names.
        let status = try place.run(["status", "vb-two"])
        #expect(
            status.status == 0 && status.stdout.contains("centos-2") && status.stdout.contains("intnet-1"),
            "\(status.stdout)")
        for lab in ["vb-one", "vb-two"] { #expect(try place.run(["destroy", lab]).status == 0) }
    }

    /// A spec change that needs a running VM powered off: create refuses and names the command
    /// with the user's strategy; that command (create --restart) makes exactly fix-macs's writes.
    @Test func createRestartKeepsTheUsersStrategy() throws {
        let place = try VBoxPlace(tag: "crestart")
        defer { place.cleanup() }
        let file = try place.write("vb-crestart", bundled: "bridge-lab")
        let create = ["create", "vb-crestart", "--no-setup", "--provider", "virtualbox"]
        #expect(try place.run(create + ["--strategy", "none"]).status == 0)
        // Guests that cannot be read still leave VirtualBox's side to read: check says what differs there.
        let check = try place.run(["check", "vb-crestart"])
        #expect(
            check.status == 1
                && check.stdout.contains(
                    "; the provider's side already differs from the plan at centos-2 slot 2, centos-2 slot 3 "
                        + "(fix-macs brings it to the plan)"),
            "\(check.stdout)")
        let refused = try place.run(create + ["--strategy", "mac-swap"])
        #expect(
            refused.status == 1 && refused.stderr.contains("centos-2 must be powered off for these changes:")
                && refused.stderr.hasSuffix("vboxlab create vb-crestart --restart --strategy mac-swap\n"),
            "\(refused.stderr)")
        place.resetCalls()
        let restarted = try place.run(create + ["--strategy", "mac-swap", "--restart"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        let uuid = try place.recorded("vb-crestart")["centos-2"]!
        let plan = try Solver.plan(try LabLoader.load(file), strategy: .macSwap)
        func mac(_ slot: Int) -> String { plan.nic(NICRef(vm: "centos-2", slot: slot))!.mac.bareUpperHex }
        #expect(
            place.writes == [
                "controlvm \(uuid) acpipowerbutton", "modifyvm \(uuid) --macaddress2 \(mac(2)) --macaddress3 \(mac(3))",
                "startvm \(uuid) --type headless",
            ], "\(place.writes)")
    }

    /// Guests that never answer ssh: the VMs and the record stay, the message says which did
    /// not answer and the next command, list says the guests are not set up, and check says
    /// `unreachable` rather than guess at the guests' interfaces.
    @Test func unansweredGuestsKeepTheLab() throws {
        let place = try VBoxPlace(tag: "noans")
        defer { place.cleanup() }
        try place.write("vb-noans", bundled: "bridge-lab")
        place.extra["VBOXLAB_SSH_WAIT"] = "2"
        let before = try Self.listed()
        let create = try place.run(["create", "vb-noans", "--provider", "virtualbox"])
        #expect(create.status == 1, "\(create.stderr)")
        #expect(
            create.stderr.contains(
                "error: lab vb-noans is made but not every guest is set up: centos-1 did not answer ssh "
                    + "(root@127.0.0.1:"
            ), "\(create.stderr)")
        #expect(
            create.stderr.contains(
                "The VMs and the lab's record are kept. When they answer: vboxlab ssh-setup centos-1 (and each other "
                    + "one), then vboxlab check vb-noans"
            ), "\(create.stderr)")
        #expect(create.stderr.contains("vboxlab: logging in to the guests as root with "), "\(create.stderr)")
        #expect(try Self.listed().subtracting(before).count == 3)
        let record = try #require(try Self.record(place, "vb-noans"))
        #expect(record.guestsNotSetUp == ["centos-1", "centos-2", "centos-3"])
        #expect(
            try place.run(["list"]).stdout.contains(
                "guests not set up: centos-1, centos-2, centos-3 (vboxlab ssh-setup centos-1)"))

        let check = try place.run(["check", "vb-noans", "--json"])
        #expect(check.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        let causes = Set((object["pairs"] as? [[String: Any]] ?? []).compactMap { $0["cause"] as? String })
        #expect(causes == ["unreachable"], "\(check.stdout)")
        let text = try place.run(["check", "vb-noans"])
        #expect(
            text.stdout.contains("unreachable: 2 pairs") && text.stdout.contains("vboxlab could not reach centos-1"),
            "\(text.stdout)")
        // Why, in one line: the way in and what ssh said; the whole command line only with -v.
        #expect(
            text.stdout.range(
                of:
                    #"vboxlab could not reach centos-1: ssh root@127\.0\.0\.1:(\d+) failed \(exit 255\): ssh: "#
                    + #"connect to host 127\.0\.0\.1 port \1: Connection refused\n"#,
                options: .regularExpression) != nil, "\(text.stdout)")
        #expect(
            text.stdout.contains("next: vboxlab ssh-setup centos-1 --lab vb-noans\n")
                && !text.stdout.contains("BatchMode"), "\(text.stdout)")
        #expect(!create.stderr.contains("BatchMode"), "\(create.stderr)")
        let status = try place.run(["status", "vb-noans"])
        #expect(
            status.stdout.contains("reached through: centos-1 ssh root@127.0.0.1:")
                && status.stdout.contains("vboxlab check reads it from the guests"), "\(status.stdout)")
        #expect(try place.run(["destroy", "vb-noans"]).status == 0)
    }

    /// fix-macs on a running lab, on a terminal: the table, a question, and on "y" the restarts.
    @Test func fixMacsAsksOnATerminal() throws {
        let place = try VBoxPlace(tag: "ask")
        defer { place.cleanup() }
        try place.write("vb-ask", bundled: "bridge-lab")
        #expect(
            try place.run(["create", "vb-ask", "--no-setup", "--provider", "virtualbox", "--strategy", "none"]).status
                == 0)
        let id = try place.recorded("vb-ask")["centos-2"]!
        place.resetCalls()
        // `script` gives the command a terminal, and passes our answer to it.
        func answer(_ reply: String) throws -> (status: Int32, seen: String) {
            let words = [try #require(CLI.executable), "fix-macs", "vb-ask", "--no-setup"].map(shellQuote).joined(
                separator: " ")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-q", "-e", "-c", words, "/dev/null"]
            process.currentDirectoryURL = URL(fileURLWithPath: place.dir)
            process.environment = ProcessInfo.processInfo.environment.merging(place.env) { $1 }.merging([
                "XDG_STATE_HOME": place.dir + "/state"
            ]) { $1 }
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            Thread.sleep(forTimeInterval: 2)
            input.fileHandleForWriting.write(Data("\(reply)\n".utf8))
            let seen = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, seen)
        }
        let no = try answer("n")
        #expect(no.status == 1 && no.seen.contains("nothing was changed"), "\(no.seen)")
        #expect(
            no.seen.contains("centos-2 must be powered off for these changes:"),
            "the table comes before the question: \(no.seen)")
        #expect(place.writes.isEmpty, "\(place.writes)")
        let yes = try answer("y")
        #expect(yes.status == 0, "\(yes.seen)")
        #expect(yes.seen.contains("restart centos-2 to apply? [y/N]"), "\(yes.seen)")
        // On one terminal the table is printed once, above the question; the summary counts.
        let change = "centos-2  3     vb-ask-intnet-2  MAC "
        #expect(yes.seen.components(separatedBy: change).count == 2, "\(yes.seen)")
        #expect(yes.seen.contains("lab vb-ask: ") && yes.seen.contains(" changes (each above)"), "\(yes.seen)")
        #expect(
            place.writes.contains("controlvm \(id) acpipowerbutton")
                && place.writes.contains("startvm \(id) --type headless"), "\(place.writes)")
        #expect(
            place.writes.contains { $0.hasPrefix("modifyvm \(id) ") && $0.contains("--macaddress3") }, "\(place.writes)"
        )
        #expect(try place.run(["destroy", "vb-ask"]).status == 0)
    }
}
