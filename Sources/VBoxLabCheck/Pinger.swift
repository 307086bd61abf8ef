import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Pings pairs from inside the VMs, through their transports: one `fping` per source
/// address, all sources in parallel, each probe's wait bounded (a lost probe costs its wait, so a bounded wait keeps a
/// failing lab's check short); plain
/// `ping` per pair where the guest has no fping.
public struct Pinger: Sendable {
    public let transports: [String: GuestTransport]
    /// Per-probe wait in milliseconds; a failed pair costs about this times 2.5.
    public var timeoutMs = 300
    public var retries = 1

    public init(transports: [String: GuestTransport]) { self.transports = transports }

    /// Whether each pair's ping was answered, in the order given.
    public func ping(_ pairs: [PingPair]) -> [Bool] {
        var groups: [(vm: String, source: String, targets: [String])] = []
        var index: [String: Int] = [:]
        for p in pairs {
            let key = "\(p.from.vm) \(p.from.address.ip)"
            if index[key] == nil {
                index[key] = groups.count
                groups.append((p.from.vm, p.from.address.ip, []))
            }
            groups[index[key]!].targets.append(p.to.address.ip)
        }
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
        return pairs.map { alive.contains("\($0.from.vm) \($0.from.address.ip) \($0.to.address.ip)") }
    }
}
