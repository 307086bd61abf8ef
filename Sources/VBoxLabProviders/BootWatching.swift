import VBoxLabHost
import VBoxLabModel

/// A provider ability: it knows how long each running VM has been up and whether the lab's
/// guests boot under software emulation, so guest setup waits for a booting VM as long as a
/// boot takes there, and not for one that is up and does not answer (`GuestWait`).
/// A provider without it has every VM waited for as if it were booting.
public protocol BootWatching: LabProvider {
    /// Seconds each running VM of the record has been up, where known.
    func uptimes(_ record: LabRecord) -> [String: Double]
    /// Whether the lab's guests boot under software emulation, sharing the host's cores.
    func bootsEmulated(_ spec: LabSpec) -> Bool
}
