/// Turns a decoded document into a `LabSpec`, field by field. Values that
/// fail their check are reported and left out; array positions are kept so that later
/// checks can still name `vms[i].nics[j]`.
struct SpecReader {
    static let labKeys = ["name", "prefix", "strategy", "base", "ssh", "vms"]
    static let vmKeys = ["name", "management", "nics", "bridges", "memory", "cpus", "ostype", "base", "ssh"]
    static let nicKeys = ["network", "ip", "mac", "interface"]
    static let bridgeKeys = ["name", "ports", "ip", "stp"]
    static let sshKeys = ["user", "key", "host", "port", "proxyCommand"]

    var walker: SpecWalker

    init(file: String) { walker = SpecWalker(file: file) }

    mutating func read(_ document: JSONValue) -> LabSpec {
        var spec = LabSpec(name: "", vms: [], file: walker.file)
        // `$schema` points editors at labs/lab.schema.json; vboxlab only needs it to be a string.
        var document = document
        if case .object(var m) = document, let schema = m["$schema"] {
            if case .string = schema {
            } else {
                walker.error("$schema", "expected a string, found \(schema.shortDescription)")
            }
            m["$schema"] = nil
            document = .object(m)
        }
        guard let top = walker.object(document, at: "", keys: Self.labKeys) else { return spec }
        if let name = walker.string(top, "name", at: "", required: "every lab needs a name") {
            if walker.name(
                name, at: "name", what: "lab name", first: \.isLowerAlnum,
                rest: { $0.isLowerAlnum || $0 == "-" }, pattern: "[a-z0-9][a-z0-9-]*", maxLength: 32)
            {
                spec.name = name
            }
        }
        if let prefix = walker.string(top, "prefix", at: "") {
            if prefix.isEmpty
                || walker.name(
                    prefix, at: "prefix", what: "prefix", first: \.isLowerAlnum,
                    rest: { $0.isLowerAlnum || $0 == "-" }, pattern: "[a-z0-9][a-z0-9-]*, or \"\"", maxLength: 32)
            {
                spec.prefix = prefix
            }
        }
        if let text = walker.string(top, "strategy", at: "") {
            if let strategy = Strategy(rawValue: text) {
                spec.strategy = strategy
            } else {
                let valid = Strategy.allCases.map(\.rawValue)
                var message = "\(quoted(text)) is not a strategy (valid: \(valid.joined(separator: ", ")))"
                if let near = suggestion(for: text, among: valid) { message += "; did you mean \"\(near)\"?" }
                walker.error("strategy", message)
            }
        }
        if let base = top["base"] { spec.base = readBase(base, at: "base") }
        if let ssh = top["ssh"] { spec.ssh = readSSH(ssh, at: "ssh") }
        guard let vms = walker.array(top, "vms", at: "") else {
            if top["vms"] == nil { walker.error("vms", "missing: a lab needs at least one VM") }
            return spec
        }
        if vms.isEmpty { walker.error("vms", "the lab has no VMs") }
        spec.vms = vms.enumerated().map { readVM($0.element, at: "vms[\($0.offset)]") }
        return spec
    }

    private mutating func readVM(_ value: JSONValue, at path: String) -> VMSpec {
        var vm = VMSpec(name: "", nics: [])
        guard let m = walker.object(value, at: path, keys: Self.vmKeys) else { return vm }
        if let name = walker.string(m, "name", at: path, required: "every VM needs a name"),
            walker.name(
                name, at: join(path, "name"), what: "VM name", first: \.isAlnum,
                rest: { $0.isAlnum || "._-".contains($0) }, pattern: "[A-Za-z0-9][A-Za-z0-9._-]*", maxLength: 64)
        {
            vm.name = name
        }
        if let mgmt = m["management"] { vm.management = readManagement(mgmt, at: join(path, "management")) }
        if let nics = walker.array(m, "nics", at: path) {
            vm.nics = nics.enumerated().map {
                readNIC($0.element, slot: $0.offset + 2, at: "\(path).nics[\($0.offset)]")
            }
            if nics.count > labSlots.count {
                walker.error(
                    join(path, "nics"), "\(nics.count) lab NICs, but a VM has only slots 2..8 (at most 7 lab NICs)")
            }
        }
        if let bridges = walker.array(m, "bridges", at: path) {
            vm.bridges = bridges.enumerated().map { readBridge($0.element, at: "\(path).bridges[\($0.offset)]") }
        }
        if let memory = walker.int(m, "memory", at: path, range: 4...2_097_152) { vm.memory = memory }
        if let cpus = walker.int(m, "cpus", at: path, range: 1...64) { vm.cpus = cpus }
        if let ostype = walker.string(m, "ostype", at: path) { vm.ostype = ostype }
        if let base = m["base"] { vm.base = readBase(base, at: join(path, "base")) }
        if let ssh = m["ssh"] { vm.ssh = readSSH(ssh, at: join(path, "ssh")) }
        return vm
    }

    private mutating func readNIC(_ value: JSONValue, slot: Int, at path: String) -> NICSpec {
        var nic = NICSpec(slot: slot, network: "")
        guard let m = walker.object(value, at: path, keys: Self.nicKeys) else { return nic }
        if let network = walker.string(
            m, "network", at: path, required: "every NIC needs the internal network it is attached to"),
            checkNetworkName(network, at: join(path, "network"))
        {
            nic.network = network
        }
        nic.ip = walker.cidr(m, "ip", at: path)
        nic.mac = walker.mac(m, "mac", at: path)
        if let name = walker.string(m, "interface", at: path), checkInterfaceName(name, at: join(path, "interface")) {
            nic.interface = name
        }
        return nic
    }

    private mutating func readBridge(_ value: JSONValue, at path: String) -> BridgeSpec {
        var bridge = BridgeSpec(name: "", ports: [])
        guard let m = walker.object(value, at: path, keys: Self.bridgeKeys) else { return bridge }
        if let name = walker.string(m, "name", at: path, required: "every bridge needs a device name, like br0"),
            checkInterfaceName(name, at: join(path, "name"))
        {
            if let slot = InterfaceNameRule.guestNICSlot(name) {
                walker.error(
                    join(path, "name"),
                    "\(quoted(name)) is the name the guest gives the NIC in slot \(slot); a bridge needs a name no "
                        + "NIC has"
                )
            } else {
                bridge.name = name
            }
        }
        if let ports = walker.array(m, "ports", at: path) {
            if ports.isEmpty { walker.error(join(path, "ports"), "a bridge needs at least one port") }
            for (i, port) in ports.enumerated() {
                guard case .string(let network) = port else {
                    walker.error("\(path).ports[\(i)]", "expected a network name, found \(port.shortDescription)")
                    continue
                }
                bridge.ports.append(network)
            }
        } else if m["ports"] == nil {
            walker.error(join(path, "ports"), "missing: the networks whose NICs the bridge joins")
        }
        bridge.ip = walker.cidr(m, "ip", at: path)
        bridge.stp = walker.bool(m, "stp", at: path) ?? false
        return bridge
    }

    private mutating func readManagement(_ value: JSONValue, at path: String) -> ManagementNIC {
        guard let m = walker.object(value, at: path, keys: ["nat", "bridged", "hostonly", "host"]) else {
            return .nat(sshPort: nil)
        }
        let kinds = ["nat", "bridged", "hostonly"].filter { m[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first else {
            walker.error(path, "give exactly one of nat, bridged, hostonly")
            return .nat(sshPort: nil)
        }
        let host = walker.commandWord(m, "host", at: path, what: "host name or address")
        switch kind {
        case "nat":
            if m["host"] != nil {
                walker.error(
                    join(path, "host"), "a NAT management NIC is reached on 127.0.0.1; host is for bridged and hostonly"
                )
            }
            guard let nat = walker.object(m["nat"]!, at: join(path, "nat"), keys: ["sshPort"]) else {
                return .nat(sshPort: nil)
            }
            if case .string("auto") = nat["sshPort"] { return .nat(sshPort: nil) }
            return .nat(sshPort: walker.int(nat, "sshPort", at: join(path, "nat"), range: 1...65535))
        case "bridged":
            let adapter = walker.string(m, "bridged", at: path) ?? ""
            return .bridged(adapter: adapter, host: host)
        default:
            let adapter = walker.string(m, "hostonly", at: path) ?? ""
            return .hostonly(adapter: adapter, host: host)
        }
    }

    private mutating func readBase(_ value: JSONValue, at path: String) -> BaseImage? {
        guard
            let m = walker.object(
                value, at: path, keys: ["clone", "snapshot", "linked", "import", "box", "version", "url", "image"])
        else { return nil }
        if let image = walker.string(m, "image", at: path) {
            if m.count > 1 {
                walker.error(path, "give image alone: it is the disk a VM boots, not a box, an import or a clone")
            }
            return .image(file: image)
        }
        if let box = walker.string(m, "box", at: path) {
            if m["clone"] != nil || m["snapshot"] != nil || m["linked"] != nil || m["import"] != nil {
                walker.error(path, "give one of box, import or clone (with snapshot and linked)")
            }
            return .box(
                name: box, version: walker.string(m, "version", at: path), url: walker.string(m, "url", at: path))
        }
        if m["version"] != nil || m["url"] != nil {
            walker.error(path, "version and url belong to a box: give box: \"NAME\" with them")
        }
        if let file = walker.string(m, "import", at: path) {
            if m["clone"] != nil || m["snapshot"] != nil || m["linked"] != nil {
                walker.error(path, "give either import or clone (with snapshot and linked), not both")
            }
            return .importAppliance(file: file)
        }
        guard
            let vm = walker.string(
                m, "clone", at: path,
                required: "give clone: \"VM\", import: \"FILE.ova\", box: \"NAME\" or image: \"FILE.qcow2\"")
        else { return nil }
        return .clone(
            vm: vm, snapshot: walker.string(m, "snapshot", at: path), linked: walker.bool(m, "linked", at: path) ?? true
        )
    }

    private mutating func readSSH(_ value: JSONValue, at path: String) -> SSHLogin? {
        guard let m = walker.object(value, at: path, keys: Self.sshKeys) else { return nil }
        return SSHLogin(
            user: walker.commandWord(m, "user", at: path, what: "user name"), key: walker.string(m, "key", at: path),
            host: walker.commandWord(m, "host", at: path, what: "host name or address"),
            port: walker.int(m, "port", at: path, range: 1...65535),
            proxyCommand: walker.string(m, "proxyCommand", at: path))
    }

    private mutating func checkNetworkName(_ name: String, at path: String) -> Bool {
        walker.name(
            name, at: path, what: "network name", first: \.isAlnum,
            rest: { $0.isAlnum || "._-".contains($0) }, pattern: "[A-Za-z0-9][A-Za-z0-9._-]*", maxLength: 64)
    }

    /// Linux limits interface names to 15 bytes (IFNAMSIZ - 1) and forbids "", ".", "..", '/', ':',
    /// white space (the pattern, stricter, also keeps out control characters); then the
    /// names that fit and are still refused (`InterfaceNameRule`).
    private mutating func checkInterfaceName(_ name: String, at path: String) -> Bool {
        guard
            walker.name(
                name, at: path, what: "Linux interface name", first: \.isAlnum,
                rest: { $0.isAlnum || "._-".contains($0) }, pattern: "[A-Za-z0-9][A-Za-z0-9._-]*", maxLength: 15)
        else { return false }
        if let problem = InterfaceNameRule.problem(name) {
            walker.error(path, problem)
            return false
        }
        return true
    }
}
