import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// What a guest script will change in a guest, predicted from the guest as observed: the
/// same lines, in the same order, that the script prints when it runs, so that `--dry-run`
/// counts what the real run does. Pure; it mirrors `GuestScript`'s steps.
public enum GuestDiff {
    public static func changes(_ plan: RegistrationPlan, vm: String, seen: VMState) -> [String] {
        var out: [String] = []
        let nics = plan.nics(of: vm)
        let bridges = plan.bridges(of: vm)
        func nic(_ slot: Int) -> NICState? { seen.nics.first { $0.slot == slot } }
        func name(_ slot: Int) -> String {
            nic(slot)?.interface ?? nics.first { $0.slot == slot }?.interface ?? GuestInterfaceName.forSlot(slot)
        }
        for n in nics {
            if let m = nic(n.slot)?.bridge, m != n.bridge { out.append("removed \(name(n.slot)) from \(m)") }
        }
        for b in bridges {
            let exists = seen.bridge(b.name)
            if exists == nil { out.append("created bridge \(b.name)") }
            if let mac = b.mac, exists?.mac != mac { out.append("set \(b.name) MAC \(mac)") }
            for slot in b.portSlots {
                let master = nic(slot)?.bridge
                if master != b.name || nics.first(where: { $0.slot == slot })?.bridge != b.name {
                    out.append("added \(name(slot)) to \(b.name)")
                }
            }
        }
        for n in nics {
            let s = nic(n.slot)
            let dev = name(n.slot)
            if let g = s?.guestMac, g != n.guestMac { out.append("set \(dev) MAC \(n.guestMac) (was \(g))") }
            if s?.linkUp != true { out.append("brought \(dev) up") }
            for a in s?.addresses ?? [] where a != n.ip { out.append("removed \(a) from \(dev)") }
            if let ip = n.ip, !(s?.addresses ?? []).contains(ip) { out.append("added \(ip) to \(dev)") }
        }
        for b in bridges {
            let s = seen.bridge(b.name)
            if s?.up != true { out.append("brought \(b.name) up") }
            for a in s?.addresses ?? [] where a != b.ip { out.append("removed \(a) from \(b.name)") }
            if let ip = b.ip, !(s?.addresses ?? []).contains(ip) { out.append("added \(ip) to \(b.name)") }
        }
        return out
    }
}
