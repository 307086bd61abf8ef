import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// A spec, a record or a box can never run code or write outside its place, and an
/// unreadable record is never taken for no record. Nothing here needs root.
@Suite struct IntegrityTests {
    static func temp() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vboxlab-integrity-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func refusal(_ text: String) -> String? {
        do {
            _ = try LabLoader.parse(Data(text.utf8), file: "t.json5")
            return nil
        } catch { return error.explanation }
    }

    static func lab(ssh: String) -> String {
        #"{ name: "l", ssh: \#(ssh), vms: [ { name: "a", nics: [ { network: "n", ip: "10.0.0.1/24" } ] }, { name: "#
            + #""b", nics: [ { network: "n", ip: "10.0.0.2/24" } ] } ] }"#
    }

    /// A host or user ssh could read as an option (or split) is refused at validate, naming the field.
    @Test(arguments: [
        (
            #"{ host: "-oProxyCommand=touch /tmp/x" }"#,
            #"ssh.host: "-oProxyCommand=touch /tmp/x" is not a host name or address: it begins with "-", which ssh "#
                + #"would read as an option"#
        ),
        (
            #"{ user: "-x" }"#,
            #"ssh.user: "-x" is not a user name: it begins with "-", which ssh would read as an option"#
        ),
        (#"{ host: "" }"#, "ssh.host: the host name or address is empty"),
        (#"{ user: "" }"#, "ssh.user: the user name is empty"),
        (
            #"{ host: "a b" }"#,
            #"ssh.host: "a b" is not a host name or address: it holds white space or a control character"#
        ),
    ])
    func sshWordsAreRefused(ssh: String, message: String) {
        #expect(
            Self.refusal(Self.lab(ssh: ssh)) == "error: t.json5: \(message)\n1 error in the spec; nothing was created")
    }

    @Test func managementHostIsAWordToo() {
        let spec =
            #"{ name: "l", vms: [ { name: "a", management: { bridged: "eth0", host: "-oX=1" }, nics: [ { network: "#
            + #""n", ip: "10.0.0.1/24" } ] }, { name: "b", nics: [ { network: "n", ip: "10.0.0.2/24" } ] } ] }"#
        #expect(Self.refusal(spec)?.contains(#"vms[0].management.host: "-oX=1" is not a host name or address"#) == true)
    }

    /// A truncated record is an error that names the file and the way out; it is listed, not skipped.
    @Test func unreadableRecordIsAnError() throws {
        let dir = try Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = LabStore(directory: dir)
        try store.save(LabRecord(lab: "x", spec: "/s/x.json5", provider: "netns", vms: ["a"]))
        let text = try String(contentsOfFile: store.file("x"), encoding: .utf8)
        try String(text.prefix(40)).write(toFile: store.file("x"), atomically: true, encoding: .utf8)
        #expect(throws: VBoxLabError.self) { _ = try store.record("x") }
        do { _ = try store.record("x") } catch {
            #expect(error.exitCode == 2)
            #expect(error.explanation.hasPrefix("error: the record of lab x cannot be read: \(dir)/x.json: "))
            #expect(error.explanation.contains("vboxlab destroy x --forget"))
        }
        #expect(store.scan().records.isEmpty && store.scan().unreadable.map(\.lab) == ["x"])
        #expect(throws: VBoxLabError.self) { _ = try LabFinder(store: store, directory: dir).find(nil) }
    }

    /// A record is replaced whole: no temporary file is left beside it.
    @Test func recordsAreWrittenWhole() throws {
        let dir = try Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = LabStore(directory: dir)
        for n in 1...3 {
            try store.save(
                LabRecord(lab: "x", spec: "/s/x.json5", provider: "netns", vms: Array(repeating: "a", count: n)))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["x.json"])
        #expect(try store.record("x")?.vms.count == 3)
        // A writer killed before its rename left its temporary file: the next write sweeps it,
        // and leaves a live writer's (its parent's pid stands for one) and other files' alone.
        let dead = try ProcessRunner().run(Command("sh", ["-c", "echo $$"])).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let left = [
            ".x.json.\(dead).AAAAAAAA.tmp", ".x.json.\(getppid()).BBBBBBBB.tmp", ".y.json.\(dead).CCCCCCCC.tmp",
        ]
        for name in left { _ = FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data("{".utf8)) }
        try store.save(LabRecord(lab: "x", spec: "/s/x.json5", provider: "netns", vms: ["a"]))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == Array(left.dropFirst()) + ["x.json"])
    }

    /// A private directory is made 0700, tightened when it is ours and only readable, and
    /// refused as a symbolic link or when others may write in it.
    @Test func privateDirectoriesAreChecked() throws {
        let dir = try Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try PrivateDirectory.ensure("\(dir)/made")
        #expect(try FileManager.default.attributesOfItem(atPath: "\(dir)/made")[.posixPermissions] as? Int == 0o700)
        try FileManager.default.createDirectory(
            atPath: "\(dir)/open", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        try PrivateDirectory.ensure("\(dir)/open")
        #expect(try FileManager.default.attributesOfItem(atPath: "\(dir)/open")[.posixPermissions] as? Int == 0o700)
        try FileManager.default.createDirectory(atPath: "\(dir)/shared", withIntermediateDirectories: false)
        chmod("\(dir)/shared", 0o777)
        #expect(
            throws: VBoxLabError.system(
                .unsafeDirectory(path: "\(dir)/shared", reason: "others may write in it (mode 777)"))
        ) { try PrivateDirectory.ensure("\(dir)/shared") }
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/link", withDestinationPath: "\(dir)/made")
        #expect(throws: VBoxLabError.system(.unsafeDirectory(path: "\(dir)/link", reason: "it is a symbolic link"))) {
            try PrivateDirectory.ensure("\(dir)/link")
        }
    }

    /// Boxes unpack as data: a link, a name outside the box or too many bytes are refused
    /// before anything is unpacked; a good box unpacks with 0644/0755 and nothing partial remains.
    @Test func boxesUnpackAsData() throws {
        let dir = try Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = ProcessRunner()
        func archive(_ name: String, _ build: (String) throws -> Void, _ tarArgs: [String] = ["."]) throws -> String {
            let src = "\(dir)/src-\(name)"
            try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
            try build(src)
            try runner.check(Command("tar", ["-czf", "\(dir)/\(name).box", "-C", src] + tarArgs))
            return "\(dir)/\(name).box"
        }
        let good = try archive("good") { src in
            try "<Envelope><File ovf:href=\"disk.vmdk\"/></Envelope>".write(
                toFile: "\(src)/box.ovf", atomically: true, encoding: .utf8)
            try "disk".write(toFile: "\(src)/disk.vmdk", atomically: true, encoding: .utf8)
            chmod("\(src)/disk.vmdk", 0o4755)
        }
        try BoxArchive(file: good, runner: runner).unpack(into: "\(dir)/out")
        #expect(
            try FileManager.default.attributesOfItem(atPath: "\(dir)/out/disk.vmdk")[.posixPermissions] as? Int == 0o644
        )
        try BoxArchive.checkReferences(ovf: "\(dir)/out/box.ovf")

        let link = try archive("link") { src in
            try FileManager.default.createSymbolicLink(atPath: "\(src)/x", withDestinationPath: "/etc/passwd")
        }
        #expect(throws: VBoxLabError.self) {
            try BoxArchive(file: link, runner: runner).unpack(into: "\(dir)/out-link")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out-link"))
        let big = try archive("big") { src in
            try Data(count: 20_000_000).write(to: URL(fileURLWithPath: "\(src)/zeros"))
        }
        do {
            try BoxArchive(file: big, runner: runner).unpack(into: "\(dir)/out-big")
            Issue.record("a 20 MB box of zeros must be refused")
        } catch {
            #expect(
                error.explanation.contains("unpacks to 20000000 bytes, more than 4 times its"), "\(error.explanation)")
        }
        #expect(
            !FileManager.default.fileExists(atPath: "\(dir)/out-big")
                && !FileManager.default.fileExists(atPath: "\(dir)/out-big.partial-\(getpid())"))

        try "<Envelope><File ovf:href=\"../../../outside/x.vmdk\"/></Envelope>".write(
            toFile: "\(dir)/evil.ovf", atomically: true, encoding: .utf8)
        #expect(
            throws: VBoxLabError.lab(
                .unusableBase(
                    "\(dir)/evil.ovf names ../../../outside/x.vmdk, which is not a file inside the box; vboxlab "
                        + "imports only what the box holds"
                ))
        ) {
            try BoxArchive.checkReferences(ovf: "\(dir)/evil.ovf")
        }
        // Either quote, spaces around '=', and character references are read as XML reads them.
        for (i, attribute) in ["ovf:href='../x.vmdk'", "ovf:href = \"&#46;&#46;/x.vmdk\"", "ovf:href=\"&#x2f;etc/x\""]
            .enumerated()
        {
            try "<Envelope><File \(attribute)/></Envelope>".write(
                toFile: "\(dir)/evil\(i).ovf", atomically: true, encoding: .utf8)
            #expect(throws: VBoxLabError.self, "\(attribute)") {
                try BoxArchive.checkReferences(ovf: "\(dir)/evil\(i).ovf")
            }
        }
        #expect(
            BoxArchive.hrefs(in: "<File ovf:href='a&amp;b.vmdk'/><File ovf:href=\"c.vmdk\"/>") == [
                "a&b.vmdk", "c.vmdk",
            ])
    }

    /// A name outside the folder, as tar would list it, is refused.
    @Test func namesStayInside() {
        #expect(BoxArchive.staysInside("box.ovf") && BoxArchive.staysInside("./a/b.vmdk"))
        #expect(
            !BoxArchive.staysInside("/etc/x") && !BoxArchive.staysInside("a/../../x") && !BoxArchive.staysInside(".."))
    }

    /// `VBOXLAB_VBOXMANAGE=""` is as if unset: VBoxManage on PATH is used (not exit 4).
    @Test func emptyVBoxManageVariableIsUnset() throws {
        let dir = try Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fake = "\(dir)/bin/VBoxManage"
        try FileManager.default.createDirectory(atPath: "\(dir)/bin", withIntermediateDirectories: true)
        // Written by another program: a write descriptor of this process, inherited by a child
        // another test spawns meanwhile, would make the exec fail ("Text file busy").
        try "#!/bin/sh\ncase \"$1\" in --version) echo 7.2.22r170000;; *) ;; esac\n".write(
            toFile: "\(dir)/fake.sh", atomically: true, encoding: .utf8)
        try ProcessRunner().check(Command("install", ["-m", "755", "\(dir)/fake.sh", fake]))
        try Self.lab(ssh: "{ user: \"root\" }").write(toFile: "\(dir)/l.json5", atomically: true, encoding: .utf8)
        let env = [
            "VBOXLAB_VBOXMANAGE": "", "VBOXLAB_PROVIDER": "", "PATH": "\(dir)/bin:/usr/bin:/bin",
            "XDG_STATE_HOME": "\(dir)/state", "XDG_RUNTIME_DIR": "\(dir)/run",
        ]
        let r = try CLI.run(["status", "l"], cwd: dir, env: env)
        #expect(
            r.status == 1 && r.stdout == "lab l does not exist (virtualbox)\n", "\(r.status) \(r.stdout)\(r.stderr)")
    }

    /// A reader that stops early (`plan | head -1`) ends vboxlab quietly, not with SIGPIPE (141).
    @Test func closedStdoutIsNotAKill() throws {
        let dir = try Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let vms = (1...400).map {
            #"{ name: "h\#($0)", nics: [ { network: "n", ip: "10.1.\#($0 / 200).\#($0 % 200 + 1)/16" } ] }"#
        }
        try #"{ name: "big", vms: [ \#(vms.joined(separator: ", ")) ] }"#.write(
            toFile: "\(dir)/big.json5", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(CLI.executable))
        process.arguments = ["plan", "\(dir)/big.json5", "--json"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = pipe.fileHandleForReading.readData(ofLength: 10)
        try pipe.fileHandleForReading.close()
        process.waitUntilExit()
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 0,
            "\(process.terminationReason) \(process.terminationStatus)")
    }
}

/// The first hour's small things: a typo of a lab is named; destroy with nothing recorded says
/// so, whatever specs lie about.
@Suite struct FirstHourTests {
    @Test func aLabNameTypoGetsADidYouMean() throws {
        let dir = try IntegrityTests.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/labs", withIntermediateDirectories: true)
        for lab in ["ux-mylab", "other"] {
            try IntegrityTests.lab(ssh: "{ user: \"root\" }").replacingOccurrences(
                of: #"name: "l""#, with: "name: \"\(lab)\""
            ).write(toFile: "\(dir)/labs/\(lab).json5", atomically: true, encoding: .utf8)
        }
        let env = ["XDG_STATE_HOME": dir + "/state", "XDG_RUNTIME_DIR": dir + "/run"]
        let r = try CLI.run(["validate", "ux-mylba"], cwd: dir, env: env)
        #expect(r.status == 2 && r.stderr.hasSuffix("; did you mean 'ux-mylab'?\n"), "\(r.stderr)")
        let destroy = try CLI.run(["destroy"], cwd: dir, env: env)
        #expect(
            destroy.status == 0 && destroy.stdout == "no lab recorded on this host; nothing to remove\n",
            "\(destroy.stdout)\(destroy.stderr)")
    }

    /// destroy --all never passes over a record it cannot read: it names it, with the fix,
    /// and fails (it was "no lab recorded", exit 0).
    @Test func destroyAllNamesAnUnreadableRecord() throws {
        let dir = try CLI.tempDir().path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let labs = dir + "/state/vboxlab/labs"
        try FileManager.default.createDirectory(atPath: labs, withIntermediateDirectories: true)
        try "{ truncated".write(toFile: "\(labs)/ux-broken.json", atomically: true, encoding: .utf8)
        let env = ["XDG_STATE_HOME": dir + "/state", "XDG_RUNTIME_DIR": dir + "/run"]
        let r = try CLI.run(["destroy", "--all"], cwd: dir, env: env)
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(
            r.stderr.hasPrefix("error: the record of lab ux-broken cannot be read: \(labs)/ux-broken.json: "),
            "\(r.stderr)")
        #expect(r.stderr.contains("vboxlab destroy ux-broken --forget") && r.stdout.isEmpty, "\(r.stdout)\(r.stderr)")
    }
}
