import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Golden/ of this target holds exactly the files `dryRunsOfFixAndDestroy` compares: a
/// recording run rewrites every one, and none lies there unchecked.
@Test func everyHostGoldenFileIsCompared() {
    let compared = bundledLabs.flatMap { ["fix-macs-dry-run/\($0).txt", "destroy-dry-run/\($0).txt"] }
    #expect(Golden.files(in: Golden.directory(of: #filePath)) == compared.sorted())
}

/// The lab's life through the executable, in real namespaces: found without a name,
/// changed in place, removed from its record, every fix line pasted.
@Suite(.serialized, .enabled(if: NetnsGate.available, "needs root and network namespaces"))
struct LifecycleTests {
    /// The design card's lines, typed exactly, from the lab's directory and from another.
    @Test func designCardCommandsWithoutNamesOrProvider() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-card"]) }
        try place.write("vt-card.json5", bundled: "bridge-lab", name: "vt-card")
        let create = try place.run(["create", "vt-card"])
        #expect(create.status == 0, "\(create.stderr)")
        #expect(create.stdout.hasPrefix("vt-card: 2 of 2 pairs reached"), "\(create.stdout)")
        if ProcessRunner.resolve("VBoxManage") == nil {
            #expect(
                create.stderr.hasPrefix(
                    "vboxlab: VBoxManage not found: lab vt-card runs in network namespaces (--provider "
                        + "netns)\nvboxlab: for VirtualBox VMs, install VirtualBox (Debian's contrib) or set "
                        + "VBOXLAB_VBOXMANAGE\n"
                ), "\(create.stderr)")
        }
        // Progress fits a terminal: no line a user reads wraps at 100 columns.
        let wide = create.stderr.split(separator: "\n").filter { $0.count > 100 }
        #expect(wide.isEmpty, "\(wide)")
        let fix = try place.run(["fix-macs"])
        #expect(
            fix.status == 0 && fix.stdout.hasSuffix("lab vt-card is already as planned; nothing changed\n"),
            "\(fix.stdout)\(fix.stderr)")
        let pair = try place.run(["check", "--pair", "centos-1", "centos-3", "--json"])
        #expect(
            pair.status == 0
                && pair.stdout.hasPrefix(
                    #"{"lab":"vt-card","reached":1,"total":1,"pairs":[{"from":"centos-1","to":"centos-3""#),
            "\(pair.stdout)")
        let coloured = try place.run(["--color", "always", "check"])
        #expect(
            coloured.stdout.contains("\u{1B}[32mok\u{1B}[0m")
                && coloured.stdout.hasPrefix("vt-card: 2 of 2 pairs reached\n"), "\(coloured.stdout)")
        let verbose = try place.run(["-v", "status"])
        #expect(verbose.stderr.contains("vboxlab: $ ip -n vbl-vt-card-sw -j -d link show\n"), "\(verbose.stderr)")
        for sub in ["", "elsewhere"] {
            let check = try place.run(["check"], in: sub)
            #expect(
                check.status == 0 && check.stdout.hasPrefix("vt-card: 2 of 2 pairs reached"),
                "\(check.stdout)\(check.stderr)")
            let status = try place.run(["status", "--json"], in: sub)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
            #expect(
                (object["vms"] as? [[String: Any]])?.map { $0["state"] as? String } == [
                    "running", "running", "running",
                ])
        }
        // A lab whose create could not set up two guests: each ssh-setup takes one off the list.
        let store = LabStore(directory: "\(place.state)/vboxlab/labs")
        var record = try #require(try store.record("vt-card"))
        record.guestsNotSetUp = ["centos-2", "centos-3"]
        try store.save(record)
        let setup = try place.run(["ssh-setup", "centos-2"], in: "elsewhere")
        #expect(
            setup.status == 0 && setup.stdout == "centos-2: already set up; nothing changed\n",
            "\(setup.stdout)\(setup.stderr)")
        #expect(try store.record("vt-card")?.guestsNotSetUp == ["centos-3"])
        #expect(try place.run(["list"]).stdout.contains("guests not set up: centos-3"))
        #expect(try place.run(["ssh-setup", "centos-3"]).status == 0)
        #expect(try store.record("vt-card")?.guestsNotSetUp == nil)
        let ssh = try place.run(
            ["ssh", "centos-1", "--", "ip", "-br", "-4", "addr", "show", "dev", "enp0s8"], in: "elsewhere")
        #expect(ssh.status == 0 && ssh.stdout.contains("1.1.1.10/24"), "\(ssh.stdout)\(ssh.stderr)")

        // A copy of the lab's spec elsewhere is the same spec: create there changes nothing.
        try place.write("copy/vt-card.json5", bundled: "bridge-lab", name: "vt-card")
        let copy = try place.run(["create", "vt-card"], in: "copy")
        #expect(
            copy.status == 0 && copy.stdout.contains("lab vt-card is already as planned; nothing changed"),
            "\(copy.stdout)\(copy.stderr)")
        // A second file that differs and claims the lab's name is refused, naming both.
        let other = try place.write("other/vt-card.json5", bundled: "hub-lab", name: "vt-card")
        let claim = try place.run(["create", "vt-card"], in: "other")
        #expect(claim.status == 2)
        #expect(
            claim.stderr.contains("\(place.dir)/vt-card.json5 (the lab was created from it)")
                && claim.stderr.contains("\(other) (named now)"))

        let list = try place.run(["list", "--json"])
        #expect(
            list.stdout
                == #"{"labs":[{"name":"vt-card","provider":"netns","state":"running","running":3,"total":3,"#
                + #""spec":"\#(place.dir)/vt-card.json5","specExists":true,"matches":true,"note":null,"#
                + #""snapshots":[]}],"#
                + #""bases":[],"unreadable":[]}"# + "\n")

        // The spec gone, destroy still works from the record.
        try FileManager.default.removeItem(atPath: "\(place.dir)/vt-card.json5")
        let destroy = try place.run(["destroy", "vt-card"], in: "elsewhere")
        #expect(
            destroy.status == 0 && destroy.stdout == "removed lab vt-card: 4 namespaces\n",
            "\(destroy.stdout)\(destroy.stderr)")
        #expect(!HostNamespaces.namespaces().contains { $0.hasPrefix("vbl-vt-card-") })
        #expect(try place.run(["list"]).stdout.hasPrefix("no lab recorded on this host"))
    }

    /// Spec edits are applied in place: a VM added and removed, an address dropped, a bridge dropped.
    @Test func specEditsAreAppliedInPlace() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-edit"]) }
        let vms = [
            #"{ name: "a", nics: [ { network: "e1", ip: "10.7.0.1/24" } ] }"#,
            #"{ name: "b", nics: [ { network: "e1" }, { network: "e2" } ], bridges: [ { name: "br0", ports: ["e1", "#
                + #""e2"] } ] }"#,
            #"{ name: "c", nics: [ { network: "e2", ip: "10.7.0.3/24" } ] }"#,
        ]
        func spec(_ list: [String]) throws {
            try place.write(
                "vt-edit.json5", name: "vt-edit", text: "{ name: \"vt-edit\", vms: [\(list.joined(separator: ",\n"))] }"
            )
        }
        try spec(vms)
        #expect(try place.run(["create", "--provider", "netns"]).status == 0)

        try spec(vms + [#"{ name: "d", nics: [ { network: "e2", ip: "10.7.0.4/24" } ] }"#])
        let add = try place.run(["create"])
        #expect(add.status == 0, "\(add.stdout)\(add.stderr)")
        #expect(
            add.stdout.contains("  added VM d\n") && add.stdout.contains("  d: added 10.7.0.4/24 to enp0s8\n"),
            "\(add.stdout)")
        #expect(kernelPing("vt-edit", from: "a", "10.7.0.1", to: "10.7.0.4"))

        try spec([vms[0], vms[1], #"{ name: "c", nics: [ { network: "e2", ip: "10.7.0.33/24" } ] }"#])
        let drop = try place.run(["fix-macs"])
        #expect(drop.status == 0, "\(drop.stdout)\(drop.stderr)")
        #expect(
            drop.stdout.contains("removed VM d\n") && drop.stdout.contains("c: removed 10.7.0.3/24 from enp0s8\n"),
            "\(drop.stdout)")
        #expect(!HostNamespaces.namespaces().contains("vbl-vt-edit-d"))
        #expect(
            addresses("vt-edit", "c", "enp0s8").contains("10.7.0.33/24")
                && !addresses("vt-edit", "c", "enp0s8").contains("10.7.0.3/"))
        #expect(kernelPing("vt-edit", from: "a", "10.7.0.1", to: "10.7.0.33"))

        // b stops bridging and becomes a host on e1: its bridge goes, its e2 NIC goes.
        try spec([vms[0], #"{ name: "b", nics: [ { network: "e1", ip: "10.7.0.2/24" } ] }"#])
        let unbridge = try place.run(["create"])
        #expect(unbridge.status == 0, "\(unbridge.stdout)\(unbridge.stderr)")
        #expect(
            unbridge.stdout.contains("  b: removed bridge br0\n") && unbridge.stdout.contains("  removed VM c\n")
                && unbridge.stdout.contains("  removed network e2\n")
                && unbridge.stdout.contains("  removed b slot 3 (e2)\n"), "\(unbridge.stdout)")
        let links = try ProcessRunner().check(Command("ip", ["-n", "vbl-vt-edit-b", "-br", "link"])).stdout
        #expect(!links.contains("br0") && !links.contains("enp0s9"), "\(links)")
        #expect(kernelPing("vt-edit", from: "a", "10.7.0.1", to: "10.7.0.2"))
        #expect(try place.run(["create"]).stdout.hasPrefix("lab vt-edit is already as planned; nothing changed"))
    }

    /// Every cause check can print, provoked by hand; its `fix:` line pasted as argv makes check pass.
    @Test func everyFixLineWorksWhenPasted() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-fix"]) }
        try place.write("vt-fix.json5", bundled: "bridge-lab", name: "vt-fix")
        #expect(try place.run(["create", "--provider", "netns"]).status == 0)
        let names = NetnsNames(lab: "vt-fix")
        let plan = try Solver.plan(try LabLoader.load("\(place.dir)/vt-fix.json5"), strategy: nil)
        let provocations: [(String, () throws -> Void)] = [
            (
                "unregistered-mac",
                {
                    let r = try place.run(["create", "--strategy", "none", "--no-setup"])
                    #expect(r.status == 0)
                }
            ),
            (
                "guest-mac-clash",
                {
                    for port in plan.nics(of: "centos-2") {
                        try ProcessRunner().check(
                            Command(
                                "ip",
                                [
                                    "-n", names.vmNamespace("centos-2"), "link", "set", "dev",
                                    GuestInterfaceName.forSlot(port.slot), "address", port.mac.description,
                                ]))
                    }
                }
            ),
            (
                "vm-down",
                {
                    try deleteNamespace(
                        names.vmNamespace("centos-3"),
                        peer: (names.switchNamespace, names.switchPort(NICRef(vm: "centos-3", slot: 2))))
                }
            ),
            (
                "guest-not-set-up",
                {
                    try ProcessRunner().check(
                        Command("ip", ["-n", names.vmNamespace("centos-2"), "link", "del", "br0"]))
                }
            ),
        ]
        for (cause, provoke) in provocations {
            try provoke()
            let broken = try place.run(["check"])
            #expect(broken.status == 1 && broken.stdout.contains("\n\(cause): 2 pairs\n"), "\(cause): \(broken.stdout)")
            // list says the last check failed rather than "as recorded" (a missing VM it names instead).
            let listed = try place.run(["list"]).stdout
            #expect(
                cause == "vm-down" || listed.contains("last check: 2 of 2 pairs failed (vboxlab check vt-fix)"),
                "\(cause): \(listed)")
            let argv = try #require(CLIPlace.pasted(broken.stdout), "\(cause): no fix line in \(broken.stdout)")
            let fixed = try place.run(argv)
            #expect(fixed.status == 0, "\(cause): \(argv) failed: \(fixed.stdout)\(fixed.stderr)")
            let again = try place.run(["check"])
            #expect(again.status == 0, "\(cause): after \(argv): \(again.stdout)")
        }
        // The drawing marks where the last check lost frames.
        #expect(try place.run(["create", "--strategy", "none", "--no-setup"]).status == 0)
        #expect(try place.run(["check"]).status == 1)
        let drawn = try place.run(["graph", "--check", "--format", "dot"])
        #expect(
            drawn.status == 0 && drawn.stdout.contains("label=\"intnet-2\\nlost here: centos-1 → centos-3\"")
                && drawn.stdout.contains("fillcolor=mistyrose"), "\(drawn.stdout)")
        // Drawn as it is (registered as VirtualBox gives it: each NIC its own MAC), not as planned.
        let own = try #require(plan.nic(NICRef(vm: "centos-2", slot: 2))).ownMac
        #expect(
            drawn.stdout.contains("label=\"lab vt-fix, as it is now (read back from the system)\"")
                && drawn.stdout.contains("reg \(own) (own)"), "\(drawn.stdout)")
        let planned = try place.run(["graph", "--format", "dot"])
        #expect(planned.stdout.contains("label=\"lab vt-fix, strategy auto\""), "\(planned.stdout)")
        #expect(try place.run(["fix-macs"]).status == 0)
        #expect(try place.run(["check"]).status == 0)
        #expect(!(try place.run(["graph", "--check"]).stdout.contains("lost here")))
        // A failure the model cannot explain: the next line is a trace that runs.
        try ProcessRunner().check(
            Command(
                "ip",
                ["netns", "exec", names.vmNamespace("centos-3"), "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1"]))
        let puzzling = try place.run(["check"])
        #expect(puzzling.status == 1 && puzzling.stdout.contains("\nunknown: 1 pair\n"), "\(puzzling.stdout)")
        let next = try #require(CLIPlace.pasted(puzzling.stdout, prefix: "next: "))
        #expect(next == ["check", "vt-fix", "--pair", "centos-1", "centos-3", "--capture"])
        let traced = try place.run(next)
        #expect(
            traced.stdout.hasPrefix("centos-1 1.1.1.10 → centos-3 1.1.1.20: ping failed\nunknown: "),
            "\(traced.stdout)\(traced.stderr)")
    }

    /// Honest verdicts: nothing to check is a failure that says why; an unconnected host is `no-path`.
    @Test func labsThatCannotWorkSayWhy() throws {
        let place = try CLIPlace()
        defer { place.cleanup(labs: ["vt-one", "vt-gap"]) }
        try place.write(
            "vt-one.json5", name: "vt-one",
            text:
                #"{ name: "vt-one", vms: [ { name: "a", nics: [ { network: "o1", ip: "10.5.0.1/24" } ] }, { name: "#
                + #""b", nics: [ { network: "o1" } ] } ] }"#
        )
        let one = try place.run(["create", "vt-one", "--provider", "netns"])
        #expect(
            one.status == 1
                && one.stdout.hasSuffix(
                    "vt-one: nothing to check: the lab has one address (10.5.0.1/24 on a), so there is nothing to "
                        + "ping it from\n"
                ), "\(one.stdout)")
        let json = try place.run(["check", "vt-one", "--json"])
        #expect(json.status == 1 && json.stdout.contains(#""total":0,"pairs":[],"persistStale":[],"cause":"no-pairs""#))
        try place.write(
            "vt-gap.json5", name: "vt-gap",
            text:
                #"{ name: "vt-gap", vms: [ { name: "a", nics: [ { network: "g1", ip: "10.5.1.1/24" } ] }, { name: "#
                + #""b", nics: [ { network: "g1", ip: "10.5.1.2/24" } ] }, { name: "c", nics: [ { network: "g2", ip: "#
                + #""10.5.1.3/24" } ] } ] }"#
        )
        let gap = try place.run(["create", "vt-gap", "--provider", "netns"])
        #expect(
            gap.status == 1
                && gap.stdout.contains(
                    "\nno-path: 4 pairs\n  a 10.5.1.1 → c 10.5.1.3: a (g1) and c (g2) share subnet 10.5.1.0/24, but "
                        + "no bridge joins g1 to g2: the spec gives no layer-2 path between them\n"
                ), "\(gap.stdout)")
        #expect(!gap.stdout.contains("fix: "))
    }

    /// destroy --all removes every recorded lab and nothing else; a lab that never existed removes nothing,
    /// even where its names meet another lab's (lab vt-rb's VM x-sw and lab vt-rb-x's switch).
    @Test func destroyTouchesOnlyWhatALabMade() throws {
        let place = try CLIPlace()
        defer {
            place.cleanup(labs: ["vt-rb-x", "vt-rb", "vt-all"])
            _ = try? ProcessRunner().run(Command("ip", ["netns", "del", "vbl-vt-all-sw"]))
        }
        try place.write(
            "vt-rb-x.json5", name: "vt-rb-x",
            text:
                #"{ name: "vt-rb-x", vms: [ { name: "a", nics: [ { network: "r", ip: "10.4.0.1/24" } ] }, { name: "#
                + #""b", nics: [ { network: "r", ip: "10.4.0.2/24" } ] } ] }"#
        )
        try place.write(
            "vt-rb.json5", name: "vt-rb",
            text:
                #"{ name: "vt-rb", vms: [ { name: "x-sw", nics: [ { network: "r", ip: "10.4.1.1/24" } ] }, { name: "#
                + #""y", nics: [ { network: "r", ip: "10.4.1.2/24" } ] } ] }"#
        )
        #expect(try place.run(["create", "vt-rb-x", "--provider", "netns"]).status == 0)
        let never = try place.run(["destroy", "vt-rb", "--provider", "netns"])
        #expect(
            never.status == 0
                && never.stdout
                    == "lab vt-rb does not exist on this host (vboxlab has no record of it); nothing to remove\n"
        )
        #expect(HostNamespaces.namespaces().contains("vbl-vt-rb-x-sw"))
        let ghost = try place.run(["status", "vt-rb", "--provider", "netns"])
        #expect(ghost.status == 1 && ghost.stdout == "lab vt-rb does not exist (netns)\n", "\(ghost.stdout)")
        let clash = try place.run(["create", "vt-rb", "--provider", "netns"])
        #expect(clash.status == 1 && clash.stderr.contains("vbl-vt-rb-x-sw (lab vt-rb-x's)"), "\(clash.stderr)")
        #expect(try place.run(["check", "vt-rb-x"]).status == 0)

        try ProcessRunner().check(Command("ip", ["netns", "add", "vbl-vt-all-sw"]))
        let all = try place.run(["destroy", "--all"])
        #expect(all.status == 0 && all.stdout == "removed lab vt-rb-x (netns): 3 namespaces\n", "\(all.stdout)")
        #expect(HostNamespaces.namespaces().contains("vbl-vt-all-sw"))
        #expect(!HostNamespaces.namespaces().contains { $0.hasPrefix("vbl-vt-rb") })
    }

    /// `fix-macs --dry-run` and `destroy --dry-run` on a real lab of every bundled spec: the
    /// changes and commands, against golden files, and the lab untouched afterwards.
    @Test(arguments: bundledLabs) func dryRunsOfFixAndDestroy(lab: String) throws {
        let name = "vt-dr-" + String(lab.prefix(6))
        let place = try CLIPlace()
        defer { place.cleanup(labs: [name]) }
        try place.write("\(name).json5", bundled: lab, name: name)
        #expect(try place.run(["create", "--provider", "netns"]).status == 0)
        let fix = try place.run(["fix-macs", "--strategy", "none", "--dry-run"])
        #expect(fix.status == 0, "\(fix.stderr)")
        expectGolden(fix.stdout, "fix-macs-dry-run/\(lab).txt")
        let destroy = try place.run(["destroy", "--dry-run"])
        #expect(destroy.status == 0, "\(destroy.stderr)")
        expectGolden(destroy.stdout, "destroy-dry-run/\(lab).txt")
        // Nothing changed: the lab still passes as planned.
        #expect(try place.run(["check"]).status == 0)
        #expect(try place.run(["fix-macs"]).stdout.hasSuffix("is already as planned; nothing changed\n"))
    }

    /// The SIGPIPE reproduction: a namespace of a 1,000-VM lab's name already there. The
    /// run refuses before it makes anything, instead of dying in its first batch.
    @Test func aLargeLabMeetingAForeignNamespaceIsRefusedCleanly() throws {
        let place = try CLIPlace()
        defer {
            place.cleanup(labs: ["vt-rbp"])
            _ = try? ProcessRunner().run(Command("ip", ["netns", "del", "vbl-vt-rbp-h0"]))
        }
        let hosts = (0..<1000).map {
            #"{ name: "h\#($0)", nics: [ { network: "p", ip: "10.64.\#($0 / 200).\#($0 % 200 + 1)/16" } ] }"#
        }
        try place.write(
            "vt-rbp.json5", name: "vt-rbp", text: "{ name: \"vt-rbp\", vms: [\(hosts.joined(separator: ",\n"))] }")
        try ProcessRunner().check(Command("ip", ["netns", "add", "vbl-vt-rbp-h0"]))
        let r = try place.run(["create", "--provider", "netns"])
        #expect(
            r.status == 1
                && r.stderr.hasPrefix(
                    "error: lab vt-rbp would use namespaces that already exist and are not its own: vbl-vt-rbp-h0 "
                        + "(not made by vboxlab for lab vt-rbp)"
                ), "\(r.status) \(r.stderr)")
        #expect(HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-vt-rbp-") } == ["vbl-vt-rbp-h0"])
        #expect(try place.run(["list", "--json"]).stdout == #"{"labs":[],"bases":[],"unreadable":[]}"# + "\n")
    }

    /// --dry-run says what the real run then does: the same changes, and the same count.
    @Test(arguments: bundledLabs) func dryRunCountsWhatTheRunDoes(lab: String) throws {
        let name = "vt-pc-" + String(lab.prefix(6))
        let place = try CLIPlace()
        defer { place.cleanup(labs: [name]) }
        try place.write("\(name).json5", bundled: lab, name: name)
        // Strategy none is the lab as VirtualBox gives it: built, but check fails on every
        // bundled lab (some pair crosses a bridge whose far side is unregistered): exit 1.
        let none = try place.run(["create", "--provider", "netns", "--strategy", "none"])
        let head = none.stdout.split(separator: "\n").first.map(String.init) ?? ""
        let counts = head.split(separator: " ").compactMap { Int($0) }
        #expect(
            none.status == 1 && head.hasPrefix("\(name): ") && head.hasSuffix(" pairs reached") && counts.count == 2
                && counts[0] < counts[1],
            "create --strategy none: exit \(none.status): \(none.stdout)\(none.stderr)")
        #expect(
            HostNamespaces.namespaces().filter { $0.hasPrefix("vbl-\(name)-") }.count
                == (try LabLoader.load("\(place.dir)/\(name).json5")).vms.count + 1)
        let dry = try place.run(["fix-macs", "--dry-run"])
        let lines = dry.stdout.split(separator: "\n").map(String.init)
        let count = Int(lines.first?.dropFirst(2).prefix { $0.isNumber } ?? "") ?? -1
        let predicted = lines.dropFirst().prefix { $0.hasPrefix("#   ") }.map { String($0.dropFirst(4)) }
        #expect(predicted.count == count, "\(dry.stdout)")
        // Its progress never words a change as done.
        let said = Set(dry.stderr.split(separator: "\n").map(String.init))
        #expect(predicted.allSatisfy { !said.contains("vboxlab: \($0)") }, "\(dry.stderr)")
        #expect(count == 0 || said.contains { $0.hasPrefix("vboxlab: not done (dry run): ") }, "\(dry.stderr)")
        let real = try place.run(["fix-macs"])
        #expect(real.status == 0)
        #expect(
            real.stdout.hasPrefix("lab \(name): \(count) change\(count == 1 ? "" : "s")\n")
                || (count == 0 && real.stdout.hasSuffix("nothing changed\n")), "dry run said \(count): \(real.stdout)")
        for p in predicted { #expect(real.stdout.contains(p), "\(p) was predicted but not done: \(real.stdout)") }
    }
}
