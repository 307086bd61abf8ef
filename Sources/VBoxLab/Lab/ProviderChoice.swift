/// Which provider a command uses (README, "Choosing the provider"), as a pure decision:
/// `--provider`, then `VBOXLAB_PROVIDER`, then the provider the lab was made with; a lab
/// that does not exist yet gets VirtualBox when `VBoxManage` is found, else namespaces.
public struct ProviderChoice: Sendable, Equatable {
    public var name: String
    /// One line for stderr when the choice may surprise (VirtualBox missing, netns used).
    public var notice: String?
    /// Whether the record alone would not choose this provider (then a pasted command must say it).
    public var mustBeNamed: Bool

    public init(name: String, notice: String? = nil, mustBeNamed: Bool = false) { self.name = name; self.notice = notice; self.mustBeNamed = mustBeNamed }

    public static func decide(flag: String?, environment: String?, recorded: String?,
                              vboxManageFound: Bool, netnsPossible: Bool, lab: String) -> ProviderChoice {
        if let explicit = flag ?? environment.flatMap({ $0.isEmpty ? nil : $0 }) {
            return ProviderChoice(name: explicit, notice: nil, mustBeNamed: explicit != recorded)
        }
        if let recorded { return ProviderChoice(name: recorded, notice: nil, mustBeNamed: false) }
        if vboxManageFound { return ProviderChoice(name: "virtualbox", notice: nil, mustBeNamed: false) }
        if netnsPossible {
            return ProviderChoice(name: "netns", notice: "VBoxManage not found: lab \(lab) runs in network namespaces on this host (--provider netns); for VirtualBox VMs, install VirtualBox (apt-get install virtualbox, from Debian's contrib) or set VBOXLAB_VBOXMANAGE",
                                  mustBeNamed: true)
        }
        return ProviderChoice(name: "virtualbox", notice: nil, mustBeNamed: false)
    }
}
