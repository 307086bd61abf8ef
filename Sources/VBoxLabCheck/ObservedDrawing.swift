import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

extension LabDrawing {
    /// The lab drawn as the system has it: each NIC's registered MAC and policy as the provider
    /// reads them, and the guest's MAC where it was read; what the system lacks stays as planned.
    public static func observed(_ plan: RegistrationPlan, state: LabState) -> LabDrawing {
        var seen = plan
        for i in seen.nics.indices {
            let ref = seen.nics[i]
            guard let nic = state.vms.first(where: { $0.name == ref.vm })?.nics.first(where: { $0.slot == ref.slot })
            else { continue }
            seen.nics[i].mac = nic.registeredMac
            seen.nics[i].promisc = nic.promisc
            if let guest = nic.guestMac { seen.nics[i].guestMac = guest }
        }
        var drawing = LabDrawing(plan: seen)
        drawing.observed = true
        drawing.caption = "as it is now (read back from the system)"
        return drawing
    }
}
