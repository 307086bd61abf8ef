import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// How long guest setup waits for each guest's ssh, decided from what is known of the VMs
/// before the wait. Pure: uptimes, cores and the user's setting come in as values.
///
/// The rule: a VM that is booting (up for less than the wait, or for an unknown time) gets
/// `VBOXLAB_SSH_WAIT`, default 180 s. Under software emulation (as the provider says) boots
/// share the host's cores, so the default grows by 60 s for each VM booting beyond the number
/// of cores.
/// A VM up for longer than that is not booting: it gets 60 s (what a guest's own reboot
/// takes under emulation), since a longer wait would not make it answer.
public struct GuestWait: Sendable, Equatable {
    /// Seconds to wait for each VM's ssh.
    public var limits: [String: Double]
    /// The VMs still booting; the others are up, and only slow to answer.
    public var booting: Set<String>
    /// Said once before the wait, when the rule lengthened it.
    public var note: String?

    public static let boot: Double = 180
    public static let perExtraBoot: Double = 60
    public static let upAlready: Double = 60

    /// The longest of the waits, for the progress line.
    public var longest: Double { limits.values.max() ?? 0 }

    /// `set` is `VBOXLAB_SSH_WAIT` when the user set it: then it is the wait of every booting VM.
    public static func plan(
        vms: [String], uptimes: [String: Double], emulated: Bool, cores: Int, set: Double?
    ) -> GuestWait {
        let base = set ?? boot
        let booting = vms.filter { uptimes[$0].map { $0 < base } ?? true }
        let extra = max(0, booting.count - max(cores, 1))
        var limit = base
        var note: String?
        if set == nil && emulated && extra > 0 {
            limit = base + perExtraBoot * Double(extra)
            note =
                "\(booting.count) VMs boot under software emulation on \(counted(cores, "core")): waiting up to "
                + "\(Int(limit)) s for ssh (\(Int(base)) s, and \(Int(perExtraBoot)) s more for each VM beyond "
                + "\(max(cores, 1)); VBOXLAB_SSH_WAIT sets it)"
        }
        var limits: [String: Double] = [:]
        for vm in vms { limits[vm] = booting.contains(vm) ? limit : min(upAlready, base) }
        return GuestWait(limits: limits, booting: Set(booting), note: note)
    }
}
