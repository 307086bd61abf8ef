import Foundation
import VBoxLabModel

/// Copies a pcap file that another program is still writing (VirtualBox's NIC trace) to an
/// output as it grows: its header, then whole records only, so the output is a valid pcap at
/// every moment. Ends at `count` records, when `stop` says so, or when the output is gone
/// (a reader that closed its pipe).
public struct PcapFollower: Sendable {
    public let file: String
    public let count: Int?
    /// How often the file is looked at again.
    public var poll = 0.2

    public init(file: String, count: Int?) {
        self.file = file
        self.count = count
    }

    public enum End: Sendable, Equatable {
        case counted, stopped, outputClosed
        /// The file never appeared, or is not pcap.
        case unreadable(String)
    }

    /// Follows until an end; `write` returns false once the output is gone.
    public func follow(stop: () -> Bool, write: (Data) -> Bool) -> End {
        var handle: FileHandle?
        while handle == nil {
            handle = FileHandle(forReadingAtPath: file)
            if handle == nil {
                if stop() { return .stopped }
                Thread.sleep(forTimeInterval: poll)
            }
        }
        var pending = Data()
        var headerDone = false
        var bigEndian = false
        var records = 0
        while true {
            let more = (try? handle!.readToEnd()) ?? nil
            if let more { pending.append(more) }
            if !headerDone {
                guard pending.count >= 24 else {
                    if stop() { return .stopped }
                    Thread.sleep(forTimeInterval: poll)
                    continue
                }
                let magic = pending.prefix(4)
                guard [Data([0xd4, 0xc3, 0xb2, 0xa1]), Data([0xa1, 0xb2, 0xc3, 0xd4])].contains(magic) else {
                    return .unreadable("\(file) is not a pcap file")
                }
                bigEndian = magic.first == 0xa1
                guard write(pending.prefix(24)) else { return .outputClosed }
                pending.removeFirst(24)
                headerDone = true
            }
            // Whole records: a 16-byte header whose bytes 8..<12 are the captured length.
            while pending.count >= 16 {
                let b = [UInt8](pending.prefix(16))
                let length =
                    bigEndian
                    ? Int(b[8]) << 24 | Int(b[9]) << 16 | Int(b[10]) << 8 | Int(b[11])
                    : Int(b[11]) << 24 | Int(b[10]) << 16 | Int(b[9]) << 8 | Int(b[8])
                guard pending.count >= 16 + length else { break }
                guard write(pending.prefix(16 + length)) else { return .outputClosed }
                pending.removeFirst(16 + length)
                records += 1
                if let count, records >= count { return .counted }
            }
            if stop() { return .stopped }
            Thread.sleep(forTimeInterval: poll)
        }
    }
}
