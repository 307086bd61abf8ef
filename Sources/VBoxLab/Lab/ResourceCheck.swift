import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Whether the VMs a command is about to start fit this host, decided before anything is
/// made. Pure: the host's resources come in as a value.
public struct ResourceCheck: Sendable, Equatable {
    /// Why the lab does not fit, with the fix; nil when it fits.
    public var refusal: String?
    /// Said and gone on: the lab fits, but leaves the host little.
    public var warnings: [String]

    /// `starting` are the VMs this run starts; `command` the line that runs it anyway.
    public static func judge(lab: String, starting: [VMSpec], host: HostResources, command: String) -> ResourceCheck {
        guard !starting.isEmpty else { return ResourceCheck(refusal: nil, warnings: []) }
        let memory = starting.map(\.memory).reduce(0, +)
        let vms = "\(starting.count) VM\(starting.count == 1 ? "" : "s")"
        if let greedy = starting.first(where: { $0.cpus > host.cores }) {
            return ResourceCheck(
                refusal: "VM \(greedy.name) of lab \(lab) asks for \(greedy.cpus) vCPUs and this host has "
                    + "\(host.cores) cores; give it at most \(host.cores) (cpus in the spec), or run anyway: "
                    + "\(command) --force",
                warnings: [])
        }
        if memory > host.availableMB {
            return ResourceCheck(
                refusal: "lab \(lab) needs \(memory) MB of memory for the \(vms) it starts and this host has "
                    + "\(host.availableMB) MB available; give the VMs less (memory in the spec), stop what else runs, "
                    + "or run anyway: \(command) --force",
                warnings: [])
        }
        // More than three quarters of what is available: the host itself will be short.
        if memory * 4 > host.availableMB * 3 {
            return ResourceCheck(
                refusal: nil,
                warnings: [
                    "the \(vms) of lab \(lab) take \(memory) MB of the \(host.availableMB) MB this host has available"
                ])
        }
        return ResourceCheck(refusal: nil, warnings: [])
    }
}
