import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Pings pairs from inside the VMs: from sockets made in the VMs' namespaces where the VMs
/// are namespaces of this host (`EchoProbes`); else through their transports, one `fping`
/// per source address, all sources in parallel, plain `ping` per pair where the guest has
/// no fping. Each probe's wait is bounded: a lost probe costs its wait, so a bounded wait
/// keeps a failing lab's check short.
public struct Pinger: Sendable {
    public let transports: [String: GuestTransport]
    /// Per-probe wait in milliseconds; a failed pair costs about this times 2.5.
    public var timeoutMs = 300
    public var retries = 1

    public init(transports: [String: GuestTransport]) { self.transports = transports }

    typealias Group = (vm: String, source: String, targets: [String])

    /// Whether each pair's ping was answered, in the order given.
    public func ping(_ pairs: [PingPair]) -> [Bool] {
        var groups: [Group] = []
        var index: [String: Int] = [:]
        for p in pairs {
            let key = "\(p.from.vm) \(p.from.address.ip)"
            if index[key] == nil {
                index[key] = groups.count
                groups.append((p.from.vm, p.from.address.ip, []))
            }
            groups[index[key]!].targets.append(p.to.address.ip)
        }
        // Sources that are namespaces of this host ping from this process; the others, and
        // all of them where that cannot be done (not root), with programs in the guest.
        let inside = groups.filter { transports[$0.vm] is HostNamespaceGuest }
        var alive = Set<String>()
        var rest = groups
        if !inside.isEmpty, let answered = pingInside(inside) {
            alive = answered
            rest = groups.filter { !(transports[$0.vm] is HostNamespaceGuest) }
        }
        if !rest.isEmpty { alive.formUnion(pingWithPrograms(rest)) }
        return pairs.map { alive.contains("\($0.from.vm) \($0.from.address.ip) \($0.to.address.ip)") }
    }

    /// "VM SOURCE TARGET" of every answered pair, pinged from sockets in the namespaces.
    private func pingInside(_ groups: [Group]) -> Set<String>? {
        let probes = groups.compactMap { g in
            (transports[g.vm] as? HostNamespaceGuest).map {
                EchoProbe(namespace: $0.networkNamespace, source: g.source, targets: g.targets)
            }
        }
        guard let answered = EchoProbes.run(probes, waitMs: timeoutMs, retries: retries) else { return nil }
        var alive = Set<String>()
        for (g, got) in zip(groups, answered) {
            for (target, ok) in zip(g.targets, got) where ok { alive.insert("\(g.vm) \(g.source) \(target)") }
        }
        return alive
    }

    /// "VM SOURCE TARGET" of every answered pair, pinged by programs run through the transports.
    private func pingWithPrograms(_ groups: [Group]) -> Set<String> {
        let transports = self.transports
        let timeout = timeoutMs
        let retries = self.retries
        // Every ping starts from an empty neighbour table, as the frame model assumes:
        // an entry left by an earlier probe would skip the ARP exchange and blur the cause.
        let sources = Array(Set(groups.map(\.vm))).sorted()
        // Both at once per source, all sources in parallel: over ssh each first call pays a handshake.
        let hasFping = parallelMap(sources, width: Parallelism.reads) { vm -> Bool in
            _ = try? transports[vm]?.run(["ip", "neigh", "flush", "all"], input: nil)
            return transports[vm]?.hasProgram("fping") ?? false
        }
        let fping = Dictionary(uniqueKeysWithValues: zip(sources, hasFping))
        var alive = Set<String>()
        let viaFping = groups.filter { fping[$0.vm] == true }
        // Every source at once: the work is the kernel's (ARP floods, echo), the processes mostly wait.
        let answers = parallelMap(viaFping, width: Parallelism.pings) { g -> [String] in
            guard let t = transports[g.vm] else { return [] }
            let argv = ["fping", "-S", g.source, "-r", String(retries), "-t", String(timeout), "-i", "0"] + g.targets
            let out = (try? t.run(argv, input: nil))?.stdout ?? ""
            return out.split(separator: "\n").compactMap {
                $0.hasSuffix(" is alive") ? "\(g.vm) \(g.source) \($0.split(separator: " ")[0])" : nil
            }
        }
        alive.formUnion(answers.flatMap { $0 })
        let jobs = groups.filter { fping[$0.vm] != true }.flatMap { g in g.targets.map { (g.vm, g.source, $0) } }
        let single = parallelMap(jobs, width: Parallelism.pings) { j -> String? in
            let argv = [
                "ping", "-c", "1", "-W", String(max(1, (timeout * (retries + 1) + 999) / 1000)), "-I", j.1, "-q", j.2,
            ]
            return (try? transports[j.0]?.run(argv, input: nil))??.status == 0 ? "\(j.0) \(j.1) \(j.2)" : nil
        }
        alive.formUnion(single.compactMap { $0 })
        return alive
    }
}
