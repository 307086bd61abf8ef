import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// The outcome of `check`: one result per ordered pair, with the cause of each failure.
public struct PairResult: Sendable {
    public var pair: PingPair
    public var ok: Bool
    public var diagnosis: Diagnosis?
    /// `check --capture`: what tcpdump saw of the lost frame.
    public var capture: CaptureVerdict?
    public init(pair: PingPair, ok: Bool, diagnosis: Diagnosis?, capture: CaptureVerdict? = nil) {
        self.pair = pair
        self.ok = ok
        self.diagnosis = diagnosis
        self.capture = capture
    }
}

public struct CheckReport: Sendable {
    public var lab: String
    public var provider: String
    public var results: [PairResult]

    /// Why there is nothing to ping, when `results` is empty.
    public var emptyReason: String?
    /// Persisted guests whose saved setup differs from the plan (`persist-stale`): a warning,
    /// since the lab works now; it would not after those guests reboot.
    public var persistStale: [StalePersistence] = []

    public init(lab: String, provider: String, results: [PairResult], emptyReason: String? = nil) {
        self.lab = lab
        self.provider = provider
        self.results = results
        self.emptyReason = emptyReason
    }

    public var reached: Int { results.filter(\.ok).count }
    public var total: Int { results.count }
    /// Every pair answered, and there was at least one: a lab with nothing to check does not pass.
    public var allPassed: Bool { !results.isEmpty && reached == results.count }

    /// The check as JSON: every pair with every field, `cause`, `reason` and `lost` null on a pair that passes.
    public var json: JSONOut {
        .object(
            [
                ("lab", .string(lab)), ("reached", .int(reached)), ("total", .int(results.count)),
                (
                    "pairs",
                    .array(
                        results.map { r in
                            var m: [(String, JSONOut)] = [
                                ("from", .string(r.pair.from.vm)), ("to", .string(r.pair.to.vm)),
                                ("fromIp", .string(r.pair.from.address.ip)), ("toIp", .string(r.pair.to.address.ip)),
                                ("ok", .bool(r.ok)),
                            ]
                            // Every pair carries every field, null where it does not apply: a program reads
                            // one shape whether the pair passed or failed.
                            m.append(
                                (
                                    "cause",
                                    r.ok ? .null : .string(r.diagnosis?.cause.rawValue ?? FailureCause.unknown.rawValue)
                                ))
                            m.append(
                                (
                                    "reason",
                                    r.ok
                                        ? .null
                                        : .string(
                                            r.diagnosis?.reason
                                                ?? "the ping failed and the lab could not be read to say why")
                                ))
                            m.append(("lost", .optional(r.ok ? nil : r.diagnosis?.place?.name)))
                            m.append(
                                (
                                    "capture",
                                    r.capture.map { c in
                                        .object([
                                            ("frame", .string(c.frame.rawValue)), ("lastSeen", .string(c.lastSeen)),
                                            ("lost", .string(c.place.description)),
                                            ("model", .optional(c.model?.description)),
                                            ("agrees", .bool(c.agrees)),
                                        ])
                                    } ?? .null
                                ))
                            return .object(m)
                        })
                ),
                (
                    "persistStale",
                    .array(
                        persistStale.map {
                            .object([("vm", .string($0.vm)), ("files", .array($0.files.map { .string($0) }))])
                        })
                ),
            ] + (emptyReason.map { [("cause", JSONOut.string("no-pairs")), ("reason", .string($0))] } ?? []))
    }

    /// The matrix for people (rows from, columns to), then one paragraph per cause.
    /// Above this many endpoints the matrix is left out (it would be wider than any terminal)
    /// unless asked for; the failing pairs are listed by cause either way.
    public static let matrixLimit = 12

    /// What a terminal may colour: the executable decides whether and how.
    public enum Highlight: Sendable { case good, bad, heading }

    public func text(fixes: FixCommands, matrix: Bool? = nil, paint: (String, Highlight) -> String = { s, _ in s })
        -> String
    {
        if let emptyReason { return "\(lab): nothing to check: \(emptyReason)" }
        var hosts: [String] = []
        for r in results {
            for a in [r.pair.from, r.pair.to] where !hosts.contains(label(a)) { hosts.append(label(a)) }
        }
        var cell: [String: String] = [:]
        for r in results { cell["\(label(r.pair.from))→\(label(r.pair.to))"] = r.ok ? "ok" : "FAIL" }
        // Colour goes on after the table is laid out, so escape codes never count as width.
        func painted(_ line: String) -> String {
            line.split(separator: " ", omittingEmptySubsequences: false).map { w in
                w == "ok" ? paint("ok", .good) : w == "FAIL" ? paint("FAIL", .bad) : String(w)
            }.joined(separator: " ")
        }
        let rows =
            [["from \\ to"] + hosts]
            + hosts.map { f in [f] + hosts.map { t in f == t ? "-" : cell["\(f)→\(t)"] ?? "" } }
        var lines = ["\(lab): \(reached) of \(results.count) pair\(results.count == 1 ? "" : "s") reached"]
        if matrix ?? (hosts.count <= Self.matrixLimit) {
            lines += TextTable.render(rows).enumerated().map { $0.offset == 0 ? $0.element : painted($0.element) }
        } else {
            lines.append("(\(hosts.count) endpoints: the matrix is left out; --matrix prints it)")
        }
        for cause in FailureCause.allCases {
            let failed = results.filter { !$0.ok && ($0.diagnosis?.cause ?? .unknown) == cause }
            guard !failed.isEmpty else { continue }
            lines += ["", paint("\(cause.rawValue): \(failed.count) pair\(failed.count == 1 ? "" : "s")", .heading)]
            lines += explained(failed, cause: cause)
            lines += advice(for: cause, first: failed[0], fixes: fixes).map { "  " + $0 }
        }
        lines += staleLines(fixes: fixes, paint: paint)
        return lines.joined(separator: "\n")
    }

    /// `persist-stale`: each persisted guest whose saved files differ, and the command that writes them again.
    private func staleLines(fixes: FixCommands, paint: (String, Highlight) -> String) -> [String] {
        guard !persistStale.isEmpty else { return [] }
        var lines = ["", paint("persist-stale: \(counted(persistStale.count, "guest"))", .heading)]
        for s in persistStale {
            lines.append(
                "  \(s.vm): its saved setup differs from the plan in \(s.files.joined(separator: ", ")); after a "
                    + "reboot it would not come back as the lab needs")
        }
        lines.append("  ssh-setup --persist writes them again from the plan:")
        for s in persistStale {
            lines.append("  fix: " + fixes.line(["ssh-setup", s.vm, "--persist", "--lab", fixes.lab]))
        }
        return lines
    }

    /// What to do about a cause. A `fix:` line is only ever a command that works when pasted.
    private func advice(for cause: FailureCause, first: PairResult, fixes: FixCommands) -> [String] {
        switch cause {
        case .unregisteredMac, .guestMacClash:
            return [
                "fix-macs registers the MACs, sets the policies and gives the bridge ports the guest MACs of the plan:",
                "fix: " + fixes.fixMacs,
            ]
        case .vmDown:
            return ["create starts what is not running and sets it up again:", "fix: " + fixes.create]
        case .guestNotSetUp:
            return ["create runs the guest setup again (bridges, ports, MACs, addresses):", "fix: " + fixes.create]
        case .unreachable:
            return [
                "vboxlab could not read those guests, so it says nothing of their interfaces; once the VM answers "
                    + "ssh, set it up and check again:",
                "next: "
                    + fixes.line([
                        "ssh-setup", first.diagnosis?.unreachableVM ?? first.pair.from.vm, "--lab", fixes.lab,
                    ]),
            ]
        case .noPath:
            return [
                "no command fixes this: edit the spec to join those networks with a bridge, or give the hosts "
                    + "different subnets"
            ]
        case .unknown:
            return [
                "the trace and a capture of one such pair show where the frame goes:",
                "next: " + fixes.trace(first.pair.from.vm, first.pair.to.vm),
            ]
        }
    }

    func label(_ a: LabAddress) -> String { "\(a.vm) \(a.address.ip)" }
}

extension PingTrace {
    /// `check --pair`: every frame, hop by hop.
    public func rendered(using diagnoser: Diagnoser) -> String {
        var lines: [String] = []
        for f in frames {
            lines.append(
                "\(f.frame.kind.rawValue): \(f.frame.source) → "
                    + "\(f.frame.destination.isBroadcast ? "broadcast" : f.frame.destination.description) "
                    + "\(f.delivered ? "delivered" : "LOST")"
            )
            for hop in f.hops { lines.append("    " + describe(hop, diagnoser)) }
        }
        return lines.joined(separator: "\n")
    }

    private func describe(_ hop: Hop, _ d: Diagnoser) -> String {
        switch hop {
        case .sent(let from, let network): return "sent by \(from)" + (network.map { " onto \($0)" } ?? "")
        case .switched(let network, let to):
            return "\(network) switch delivers it to " + to.map { "\($0.vm) \(d.label($0))" }.joined(separator: ", ")
        case .bridged(let b, let from, let out):
            return "\(b.vm) \(b.name) takes it from \(d.label(from)) and "
                + (out.isEmpty
                    ? "forwards it nowhere" : "forwards it out " + out.map { d.label($0) }.joined(separator: ", "))
        case .delivered(let e): return "delivered to \(e)"
        case .dropped(let drop, let at): return "dropped at \(at): \(drop)"
        }
    }
}
