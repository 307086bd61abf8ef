import VBoxLabHost
import VBoxLabModel

/// Names of everything the netns provider creates. Each namespace carries the `vbl-`
/// prefix and the lab's name; since two labs' names can still meet (`vbl-rb-x-sw` is
/// lab `rb`'s VM `x-sw` and lab `rb-x`'s switch), ownership is never read from a name:
/// the lab record keeps each namespace's identity (`HostNamespaces.identity`).
public struct NetnsNames: Sendable {
    public let lab: String
    public init(lab: String) { self.lab = lab }

    public static let prefix = SwitchNames.prefix

    /// The namespace that plays the VM.
    public func vmNamespace(_ vm: String) -> String { "\(Self.prefix)\(lab)-\(vm)" }

    /// The lab's registering switch, whose names the VMs' namespaces must not meet.
    public var switchNames: SwitchNames { SwitchNames(lab: lab) }
    public var switchNamespace: String { switchNames.namespace }
    public func switchBridge(_ index: Int) -> String { switchNames.bridge(index) }
    public func switchPort(_ nic: NICRef) -> String { switchNames.port(nic) }
}
