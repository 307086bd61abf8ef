import Foundation
import VBoxLabHost
import VBoxLabModel

/// The text of a `SwitchWork`'s batches, and the commands that run them.
extension SwitchWork {
    /// Lines for the root namespace's `ip -batch`, which the caller runs before
    /// `linkCommand`: the switch namespace, and existing links (taps) moved into it
    /// under their port's name.
    public var rootLines: [String] {
        (createNamespace ? ["netns add \(names.namespace)"] : [])
            + addPorts.compactMap { p in
                guard case .existing(let link) = p.port.link else { return nil }
                return "link set dev \(link) netns \(names.namespace) name \(names.port(p.port.nic))"
            }
    }

    /// IPv6 off in a new switch namespace, before its links come up: a VirtualBox switch sends
    /// no frame of its own, while a kernel port with IPv6 sends router solicitations and MLD
    /// reports into the lab. Writing `all` reaches the taps already moved in and every later
    /// link. Nothing to do on a host without IPv6.
    public var quietCommand: Command? {
        let all = "/proc/sys/net/ipv6/conf/all/disable_ipv6"
        guard createNamespace, FileManager.default.fileExists(atPath: all) else { return nil }
        return Command("ip", ["netns", "exec", names.namespace, "tee", all], input: "1\n")
    }

    /// Ports and bridges to delete, before anything is added so a name freed can be reused.
    public var deleteBatch: String? { Self.batch(deleteLinks.map { "link del dev \($0)" }) }

    /// Make the bridges and veths (each veth's other end directly in its namespace with
    /// its address), then label and raise the bridges and attach and raise the ports.
    public var linkBatch: String? {
        let made =
            addBridges.map { "link add \($0.bridge) type bridge" }
            + addPorts.compactMap { p in
                guard case .veth(let peer, let namespace, let address) = p.port.link else { return nil }
                return
                    "link add \(names.port(p.port.nic)) type veth peer name \(peer) netns \(namespace) address "
                    + "\(address)"
            }
        let raised =
            addBridges.map { "link set dev \($0.bridge) alias \($0.network) up" }
            + (addPorts + movePorts).map { p in
                "link set dev \(names.port(p.port.nic)) alias \(names.portAlias(p.port.nic)) master \(p.bridge) up"
            }
        return Self.batch(made + raised + (createNamespace ? ["link set dev lo up"] : []))
    }

    /// The registering switch's `bridge -batch`: no learning, flooding per policy, one
    /// static entry per port for its registered MAC.
    public var fdbBatch: String? { Self.batch(fdbLines) }

    /// The switch-namespace commands in the order they must run, after the root batch.
    public var deleteCommand: Command? {
        deleteBatch.map { Command("ip", ["-n", names.namespace, "-batch", "-"], input: $0) }
    }
    public var linkCommand: Command? {
        linkBatch.map { Command("ip", ["-n", names.namespace, "-batch", "-"], input: $0) }
    }
    public var fdbCommand: Command? {
        fdbBatch.map { Command("bridge", ["-n", names.namespace, "-batch", "-"], input: $0) }
    }

    static func batch(_ lines: [String]) -> String? { lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n" }
}
