import Foundation
import VBoxLabHost
import VBoxLabModel

/// A provider ability: the frames one lab NIC receives and sends, as the network delivers
/// them, captured live (`vboxlab capture`).
public protocol NICCapturing: LabProvider {
    /// How `nic`'s frames are captured as `how` asks.
    func nicCapture(_ nic: PlannedNIC, lab: String, how: CaptureRequest) throws(VBoxLabError) -> NICCaptureWay
}

/// A provider's way to one NIC's frames.
public enum NICCaptureWay: Sendable, Equatable {
    /// A program that captures and writes as asked (tcpdump on the NIC's switch port), run on this terminal.
    case program(Command)
    /// The provider writes every frame of the NIC into `file` (pcap) between `start` and
    /// `stop` (VirtualBox's NIC trace): vboxlab follows the file and runs `stop` on every way out.
    case traceFile(file: String, start: [Command], stop: [Command])
}

/// What the user asked of a capture.
public struct CaptureRequest: Sendable, Equatable {
    public enum Output: Sendable, Equatable {
        /// pcap on standard output (a pipe into Wireshark).
        case pcapOnStdout
        /// pcap into this file.
        case pcapFile(String)
        /// tcpdump's own text, one line per frame with its MACs (a terminal).
        case text
    }
    public var output: Output
    /// Stop after this many frames.
    public var count: Int?
    /// tcpdump's filter expression, word by word as the user typed it.
    public var filter: [String]

    public init(output: Output, count: Int? = nil, filter: [String] = []) {
        self.output = output
        self.count = count
        self.filter = filter
    }

    /// tcpdump's options for this request, after `-i PORT`: packets leave as they come (`-U`),
    /// names are never looked up (`-n`), and tcpdump keeps root (`-Z root`), since the file is the user's.
    public var tcpdumpOptions: [String] {
        var a = ["-Z", "root", "-n"]
        switch output {
        case .pcapOnStdout: a += ["-U", "-w", "-"]
        case .pcapFile(let file): a += ["-U", "-w", file]
        case .text: a += ["-e", "-l"]
        }
        if let count { a += ["-c", String(count)] }
        return a + filter
    }
}
