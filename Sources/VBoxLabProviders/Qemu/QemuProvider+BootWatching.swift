import Foundation
import VBoxLabHost
import VBoxLabModel

/// A QEMU VM is up since its process started; under TCG its guest boots in software.
extension QemuProvider: BootWatching {
    public func uptimes(_ record: LabRecord) -> [String: Double] {
        guard let now = Self.hostUptime() else { return [:] }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var out: [String: Double] = [:]
        for (vm, process) in runningVMs(record) {
            // The start time is in clock ticks after the host booted.
            if let started = Double(process.started), ticks > 0 { out[vm] = max(0, now - started / ticks) }
        }
        return out
    }

    public func bootsEmulated(_ spec: LabSpec) -> Bool {
        guard let image = try? QemuImage.resolve(spec.base, specFile: spec.file) else { return false }
        return accel(image) == "tcg"
    }

    /// The accelerator as the create line names it: TCG is worth a word, since it is slow.
    static func accelInWords(_ accel: String) -> String {
        accel == "tcg" ? "TCG: software emulation, no working KVM here (VBOXLAB_QEMU_ACCEL)" : accel.uppercased()
    }

    /// Seconds since the host booted, from /proc/uptime.
    static func hostUptime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
