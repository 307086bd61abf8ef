/// Pings pairs from inside the VM namespaces: one `fping` per source address, all
/// sources in parallel, each probe's wait bounded (performance.md); plain `ping`
/// per pair when fping is not installed.
public struct NetnsPinger: Sendable {
    public let runner: CommandRunner
    public let names: NetnsNames
    /// Per-probe wait in milliseconds; a failed pair costs about this times 2.5.
    public var timeoutMs = 300
    public var retries = 1

    public init(runner: CommandRunner, lab: String) { self.runner = runner; names = NetnsNames(lab: lab) }

    /// Whether each pair's ping was answered, in the order given.
    public func ping(_ pairs: [PingPair]) -> [Bool] {
        let useFping = ProcessRunner.resolve("fping") != nil
        let existing = NetnsObserver.existingNamespaces()
        var groups: [(ns: String, source: String, targets: [String])] = []
        var index: [String: Int] = [:]
        for p in pairs {
            let key = "\(p.from.vm) \(p.from.address.ip)"
            if index[key] == nil { index[key] = groups.count; groups.append((names.vmNamespace(p.from.vm), p.from.address.ip, [])) }
            groups[index[key]!].targets.append(p.to.address.ip)
        }
        let runner = self.runner, timeout = timeoutMs
        // Every ping starts from an empty neighbour table, as the frame model assumes:
        // an entry left by an earlier probe would skip the ARP exchange and blur the cause.
        let sources = Array(Set(groups.map(\.ns))).filter(existing.contains)
        _ = parallelMap(sources, width: 16) { ns in try? runner.run(Command("ip", ["-n", ns, "neigh", "flush", "all"])) }
        var alive = Set<String>()
        if useFping {
            // Every source at once: the work is the kernel's (ARP floods, echo), the processes mostly wait.
            let answers = parallelMap(groups, width: 64) { g -> [String] in
                guard existing.contains(g.ns) else { return [] }
                let c = Command("ip", ["netns", "exec", g.ns, "fping", "-S", g.source, "-r", String(retries), "-t", String(timeout), "-i", "0"] + g.targets)
                let out = (try? runner.run(c))?.stdout ?? ""
                return out.split(separator: "\n").compactMap { $0.hasSuffix(" is alive") ? "\(g.ns) \(g.source) \($0.split(separator: " ")[0])" : nil }
            }
            alive = Set(answers.flatMap { $0 })
        } else {
            let jobs = groups.flatMap { g in g.targets.map { (g.ns, g.source, $0) } }
            let answers = parallelMap(jobs, width: 64) { j -> String? in
                guard existing.contains(j.0) else { return nil }
                let c = Command("ip", ["netns", "exec", j.0, "ping", "-c", "1", "-W", "1", "-I", j.1, "-q", j.2])
                return (try? runner.run(c))?.status == 0 ? "\(j.0) \(j.1) \(j.2)" : nil
            }
            alive = Set(answers.compactMap { $0 })
        }
        return pairs.map { alive.contains("\(names.vmNamespace($0.from.vm)) \($0.from.address.ip) \($0.to.address.ip)") }
    }
}
