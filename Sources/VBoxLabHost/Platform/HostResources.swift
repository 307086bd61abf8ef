import Foundation
import VBoxLabModel

/// What this host can give VMs: the memory the kernel counts as available (MemAvailable:
/// free memory plus what it can reclaim) and the processors it runs on.
public struct HostResources: Sendable, Equatable {
    public var availableMB: Int
    public var cores: Int

    public init(availableMB: Int, cores: Int) {
        self.availableMB = availableMB
        self.cores = cores
    }

    /// Read now; nil where /proc/meminfo cannot be read (no check is then made).
    public static func current() -> HostResources? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let kB = availableKB(meminfo: text)
        else { return nil }
        return HostResources(availableMB: kB / 1024, cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// `MemAvailable:   12345678 kB` of /proc/meminfo.
    static func availableKB(meminfo: String) -> Int? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }
}
