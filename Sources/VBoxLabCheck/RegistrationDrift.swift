import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// The NICs whose registration on the provider's side (registered MAC, promiscuous policy) is
/// not the plan's: what fix-macs would change. It is read from the provider alone, so `check`
/// can still say it when the guests cannot be read.
enum RegistrationDrift {
    static func nics(_ state: LabState, plan: RegistrationPlan) -> [String] {
        state.vms.flatMap { vm in
            vm.nics.compactMap { nic -> String? in
                guard let planned = plan.nic(NICRef(vm: vm.name, slot: nic.slot)) else { return nil }
                let same = planned.mac == nic.registeredMac && planned.promisc == nic.promisc
                return same ? nil : "\(vm.name) slot \(nic.slot)"
            }
        }
    }

    /// The clause `check` adds to an unreachable guest's reason; empty when nothing differs.
    static func clause(_ nics: [String]) -> String {
        guard !nics.isEmpty else { return "" }
        return
            "; the provider's side already differs from the plan at \(nics.joined(separator: ", ")) (fix-macs "
            + "brings it to the plan)"
    }
}
