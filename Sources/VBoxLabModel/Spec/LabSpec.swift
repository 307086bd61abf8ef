/// A lab spec as validated from `labs/NAME.json5`: every value already checked and
/// typed, every default filled in. Providers and the solver see only this.
public struct LabSpec: Sendable, Equatable {
    public var name: String
    public var strategy: Strategy
    public var base: BaseImage?
    public var ssh: SSHLogin?
    public var vms: [VMSpec]
    /// Where the spec came from, for messages.
    public var file: String
    /// What every object the lab makes in a host-wide namespace starts with (VirtualBox VM
    /// and internal network names): nil for the lab's name, "" for the spec's names as they are.
    public var prefix: String?

    public init(
        name: String, strategy: Strategy = .auto, base: BaseImage? = nil, ssh: SSHLogin? = nil,
        vms: [VMSpec], file: String = "<memory>"
    ) {
        self.name = name
        self.strategy = strategy
        self.base = base
        self.ssh = ssh
        self.vms = vms
        self.file = file
    }

    public func vm(named name: String) -> VMSpec? { vms.first { $0.name == name } }

    /// The prefix in force: the spec's, else the lab's name.
    public var hostPrefix: String { prefix ?? name }

    /// A VM's or a network's name on the host: `PREFIX-NAME`, or the name as it is with `prefix: ""`.
    public func hostName(_ name: String) -> String { hostPrefix.isEmpty ? name : "\(hostPrefix)-\(name)" }

    /// The spec's name of a host-wide name this lab made (nil when it is not one of them).
    public func specName(ofHost name: String) -> String? {
        guard !hostPrefix.isEmpty else { return name }
        return name.hasPrefix(hostPrefix + "-") ? String(name.dropFirst(hostPrefix.count + 1)) : nil
    }
}

/// How frames reach a VM that forwards for others: register the MAC behind a bridge port
/// on it (mac-swap), let the port receive every frame (promisc), both where each fits (auto),
/// or nothing (none: the lab as VirtualBox makes it, which fails).
public enum Strategy: String, Sendable, CaseIterable, Codable {
    case auto
    case macSwap = "mac-swap"
    case promisc
    case none
}

public enum BaseImage: Sendable, Equatable {
    case clone(vm: String, snapshot: String?, linked: Bool)
    case importAppliance(file: String)
    /// A Vagrant box: an installed box's name, or a `.box` file; `url` downloads one.
    case box(name: String, version: String?, url: String?)
    /// A disk image a VM boots through an overlay of its own (a provider that runs real guests): a qcow2 file,
    /// or a folder `scripts/guest-image` wrote.
    case image(file: String)
}

public struct SSHLogin: Sendable, Equatable {
    public var user: String?
    public var key: String?
    public var host: String?
    public var port: Int?
    public var proxyCommand: String?
    public init(
        user: String? = nil, key: String? = nil, host: String? = nil, port: Int? = nil, proxyCommand: String? = nil
    ) {
        self.user = user
        self.key = key
        self.host = host
        self.port = port
        self.proxyCommand = proxyCommand
    }
}

/// NIC 1 of a VM: how the host reaches the guest for setup.
public enum ManagementNIC: Sendable, Equatable {
    /// NAT with a forwarded port on 127.0.0.1; nil means "pick one".
    case nat(sshPort: Int?)
    case bridged(adapter: String, host: String?)
    case hostonly(adapter: String, host: String?)
}

public struct VMSpec: Sendable, Equatable {
    public var name: String
    public var management: ManagementNIC
    public var nics: [NICSpec]
    public var bridges: [BridgeSpec]
    public var memory: Int
    public var cpus: Int
    public var ostype: String
    public var base: BaseImage?
    public var ssh: SSHLogin?

    public init(
        name: String, management: ManagementNIC = .nat(sshPort: nil), nics: [NICSpec], bridges: [BridgeSpec] = [],
        memory: Int = 1024, cpus: Int = 1, ostype: String = "RedHat_64", base: BaseImage? = nil, ssh: SSHLogin? = nil
    ) {
        self.name = name
        self.management = management
        self.nics = nics
        self.bridges = bridges
        self.memory = memory
        self.cpus = cpus
        self.ostype = ostype
        self.base = base
        self.ssh = ssh
    }

    /// The bridge this VM's NIC on `network` is a port of, if any.
    public func bridge(forPort network: String) -> BridgeSpec? { bridges.first { $0.ports.contains(network) } }
}

public struct NICSpec: Sendable, Equatable {
    /// VirtualBox slot: 2..8 (slot 1 is the management NIC).
    public var slot: Int
    public var network: String
    public var ip: IPv4CIDR?
    public var mac: MACAddress?
    public var interface: String?
    public init(slot: Int, network: String, ip: IPv4CIDR? = nil, mac: MACAddress? = nil, interface: String? = nil) {
        self.slot = slot
        self.network = network
        self.ip = ip
        self.mac = mac
        self.interface = interface
    }
}

public struct BridgeSpec: Sendable, Equatable {
    public var name: String
    /// Network names; each names the VM's NIC on that network.
    public var ports: [String]
    public var ip: IPv4CIDR?
    public var stp: Bool
    public init(name: String, ports: [String], ip: IPv4CIDR? = nil, stp: Bool = false) {
        self.name = name
        self.ports = ports
        self.ip = ip
        self.stp = stp
    }
}

/// VirtualBox's lab NIC slots: 2..8.
public let labSlots = 2...8
