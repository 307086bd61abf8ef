import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// `vboxlab capture [LAB] VM[:SLOT|NETWORK] [-w FILE] [-c COUNT] [FILTER...]`: one NIC's
/// frames, live: pcap into a pipe or a file, tcpdump's text on a terminal.
struct Capture: LabCommand {
    static let configuration = CommandSpec(
        name: "capture", summary: "Capture what one NIC receives and sends: pcap for Wireshark, or text.",
        arguments: [Options.lab, "VM[:SLOT|NETWORK]", "FILTER..."],
        options: [write, count, Options.provider],
        discussion:
            "The NIC is VM:SLOT (VirtualBox's slot, 2 for the first lab NIC), VM:NETWORK, or VM alone when it has "
            + "one lab NIC. Frames are captured where the lab's switch hands them to the NIC (netns, QEMU), so a "
            + "frame the switch drops never shows. pcap goes to standard output when it is not a terminal "
            + "(vboxlab capture centos-2:3 | wireshark -k -i -), to FILE with -w; on a terminal tcpdump prints one "
            + "line per frame with its MACs. FILTER is tcpdump's (arp or icmp). Ends at COUNT frames, Ctrl-C or a "
            + "closed pipe, each exit 0.")
    static let write = OptionSpec("write", value: "FILE", short: "w", help: "-w FILE: write pcap into FILE.")
    static let count = OptionSpec("count", value: "COUNT", short: "c", help: "-c COUNT: stop after COUNT frames.")
    let words: [String], file: String?, frames: Int?, provider: String?

    init(_ a: ParsedArguments) throws(VBoxLabError) {
        words = a.positionals
        if words.isEmpty { throw Self.usage("missing argument VM[:SLOT|NETWORK]") }
        file = a.value(Self.write)
        if let c = a.value(Self.count) {
            guard let n = Int(c), n > 0 else { throw Self.usage("-c takes a number of frames above 0, not '\(c)'") }
            frames = n
        } else {
            frames = nil
        }
        provider = a.value(Options.provider)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        // LAB is left out unless the first word finds a lab and a NIC follows it.
        var lab: String? = nil
        var rest = words
        if words.count > 1, (try? env.finder.find(words[0])) != nil {
            lab = words[0]
            rest.removeFirst()
        }
        let found = try env.finder.find(lab)
        let lifecycle = try LabLifecycle(found, environment: env, providerFlag: provider)
        let nic = try lifecycle.captureTarget(rest[0])
        let output: CaptureRequest.Output =
            file.map { .pcapFile($0) } ?? (isatty(1) == 1 ? .text : .pcapOnStdout)
        let filter = Array(rest.dropFirst())
        let way = try lifecycle.capture(nic, how: CaptureRequest(output: output, count: frames, filter: filter))
        progressToStderr("capturing \(nic.vm):\(nic.slot) (\(nic.network)); Ctrl-C ends it")
        switch way {
        case .program(let command):
            env.undo.leavesInterruptToChild = true
            let status = try ProcessRunner().runAttached(command)
            env.undo.leavesInterruptToChild = false
            // Ended by Ctrl-C (130) or a reader that went away (SIGPIPE, 141): done, not failed.
            return [0, 130, 141].contains(status) ? 0 : 3
        case .traceFile(let trace, let start, let stop):
            if !filter.isEmpty {
                let words = filter.joined(separator: " ")
                throw Self.usage(
                    "a VirtualBox NIC trace has every frame; filter it afterwards (tcpdump -r FILE \(words), or in "
                        + "Wireshark)")
            }
            if output == .text { throw Self.usage("on a terminal give -w FILE, or pipe it: | wireshark -k -i -") }
            return try follow(trace, start: start, stop: stop, undo: env.undo)
        }
    }

    /// Starts the NIC trace, copies it out as it grows, and switches it off on every way out
    /// (COUNT, Ctrl-C, a closed pipe, an error).
    private func follow(_ trace: String, start: [Command], stop: [Command], undo: UndoLog) throws(VBoxLabError)
        -> Int32
    {
        let runner = ProcessRunner(undo: undo)
        let off = undo.push { for c in stop { _ = try? runner.run(c) } }
        defer { undo.run(off) }
        for c in start { try runner.check(c) }
        let out: FileHandle
        if let file {
            guard FileManager.default.createFile(atPath: file, contents: nil),
                let handle = FileHandle(forWritingAtPath: file)
            else { throw .system(.cannotWrite(path: file, reason: "cannot create it")) }
            out = handle
        } else {
            out = FileHandle.standardOutput
        }
        undo.leavesInterruptToChild = true
        defer { undo.leavesInterruptToChild = false }
        let end = PcapFollower(file: trace, count: frames).follow(
            // A reader that went away (Wireshark closed) ends the capture.
            stop: { undo.interrupted }, write: { (try? out.write(contentsOf: $0)) != nil })
        if case .unreadable(let why) = end { throw .system(.disagrees(why)) }
        return 0
    }
}
