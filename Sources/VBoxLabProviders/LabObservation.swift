import VBoxLabHost
import VBoxLabModel

/// A lab as a provider reads it back: the state the frame model runs over, plus what
/// `status` shows about each VM and switch. Every value comes from the system.
public struct LabObservation: Sendable {
    public var lab: String
    public var provider: String
    public var state: LabState
    /// Per VM: the provider's short state (`running`, `missing`, VirtualBox's `poweroff`...)
    /// and, for netns, its namespace.
    public var details: [String: VMDetail]
    public var switches: [SwitchObservation]
    /// Whether anything of the lab is on the system.
    public var exists: Bool
    /// What plays the internal networks, when it is gone while VMs remain (netns: the switch namespace).
    public var missingSwitch: String? = nil
    /// How `stop` left the lab, from its record: nil while it runs.
    public var rest: LabRest? = nil

    /// running, stopped, saved or partial, from the VMs as read and the record's rest.
    public var runState: LabRunState {
        LabRunState.of(running: state.vms.filter(\.running).count, total: state.vms.count, rest: rest)
    }

    public init(
        lab: String, provider: String, state: LabState, details: [String: VMDetail], switches: [SwitchObservation],
        exists: Bool
    ) {
        self.lab = lab
        self.provider = provider
        self.state = state
        self.details = details
        self.switches = switches
        self.exists = exists
    }
}

public struct VMDetail: Sendable, Equatable {
    public var state: String
    public var namespace: String?
    /// How vboxlab reaches the VM's inside (`ssh root@127.0.0.1:2223`), when it knows.
    public var reach: String?
    public init(state: String, namespace: String? = nil, reach: String? = nil) {
        self.state = state
        self.namespace = namespace
        self.reach = reach
    }
}

public struct SwitchObservation: Sendable, Equatable {
    public var network: String
    public var namespace: String?
    public var bridge: String?
}

extension LabObservation {
    /// `status --json`. A VM the lab should have but the system lacks is listed as `missing`.
    public var statusJSON: JSONOut {
        .object([
            ("lab", .string(lab)), ("provider", .string(provider)),
            ("state", exists ? .string(runState.rawValue) : .null),
            ("vms", .array(exists ? state.vms.map(vmJSON) : [])),
            (
                "switches",
                .array(
                    switches.map { s in
                        .object([
                            ("network", .string(s.network)), ("namespace", .optional(s.namespace)),
                            ("bridge", .optional(s.bridge)),
                        ])
                    })
            ),
        ])
    }

    private func vmJSON(_ vm: VMState) -> JSONOut {
        let detail = details[vm.name]
        return .object([
            ("name", .string(vm.name)), ("state", .string(detail?.state ?? (vm.running ? "running" : "missing"))),
            ("namespace", .optional(detail?.namespace)), ("reach", .optional(detail?.reach)),
            (
                "nics",
                .array(
                    vm.nics.map { n in
                        .object([
                            ("slot", .int(n.slot)), ("network", .string(n.network)),
                            ("interface", .optional(n.interface)),
                            ("mac", .string(n.registeredMac.description)),
                            ("guestMac", .optional(n.guestMac?.description)),
                            ("promisc", .string(n.promisc.rawValue)), ("up", .bool(n.linkUp)),
                            ("addresses", .array(n.addresses.map { .string($0.description) })),
                            ("bridge", .optional(n.bridge)),
                        ])
                    })
            ),
            (
                "bridges",
                .array(
                    vm.bridges.map { b in
                        .object([
                            ("name", .string(b.name)), ("mac", .string(b.mac.description)), ("up", .bool(b.up)),
                            ("addresses", .array(b.addresses.map { .string($0.description) })),
                        ])
                    })
            ),
        ])
    }

    /// For people: one line per NIC and bridge.
    public var statusText: String {
        guard exists else { return "lab \(lab) does not exist (\(provider))" }
        if let rest, runState != .running {
            let first = "lab \(lab) is \(runState.rawValue) (since \(rest.since)); vboxlab start \(lab) brings it back"
            if state.vms.allSatisfy({ $0.nics.isEmpty && $0.bridges.isEmpty }) {
                return ([first] + state.vms.map { "  \($0.name): \(details[$0.name]?.state ?? "stopped")" })
                    .joined(separator: "\n")
            }
        }
        let warning = missingSwitch.map { ["switch missing: \($0); every internal network is gone"] } ?? []
        var rows: [[String]] = [
            ["VM", "state", "slot", "network", "interface", "registered", "guest MAC", "policy", "link", "addresses"]
        ]
        for vm in state.vms {
            let s = details[vm.name]?.state ?? (vm.running ? "running" : "missing")
            if vm.nics.isEmpty && vm.bridges.isEmpty { rows.append([vm.name, s, "", "", "", "", "", "", "", ""]) }
            for n in vm.nics {
                rows.append([
                    vm.name, s, String(n.slot), n.network, n.interface ?? "-", n.registeredMac.description,
                    n.guestMac?.description ?? "-", n.promisc.rawValue, n.linkUp ? "up" : "down",
                    (n.addresses.map(\.description) + (n.bridge.map { ["port of \($0)"] } ?? [])).joined(
                        separator: " "),
                ])
            }
            for b in vm.bridges {
                rows.append([
                    vm.name, s, "", "", b.name, "", b.mac.description, "", b.up ? "up" : "down",
                    b.addresses.map(\.description).joined(separator: " "),
                ])
            }
        }
        var notes: [String] = []
        let reached = state.vms.compactMap { vm in details[vm.name]?.reach.map { "\(vm.name) \($0)" } }
        if !reached.isEmpty { notes.append("reached through: " + reached.joined(separator: "; ")) }
        if state.vms.contains(where: { vm in vm.nics.contains { $0.interface == nil } }) {
            notes.append(
                "- in interface, guest MAC and addresses: the guest's own side, which \(provider) does not show; "
                    + "vboxlab check reads it from the guests"
            )
        }
        return (warning + TextTable.render(rows) + notes).joined(separator: "\n")
    }
}
