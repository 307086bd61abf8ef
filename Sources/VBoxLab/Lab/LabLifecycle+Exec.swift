import Foundation
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// One VM's answer to `exec`: its exit status and output, or why it could not be reached.
/// Output is the guest's: bounded by the transport, and escaped by whoever prints it.
public struct ExecResult: Sendable, Equatable {
    public var vm: String
    /// nil when the command never ran (the VM could not be reached).
    public var status: Int32?
    public var stdout: String
    public var stderr: String
    /// Why the VM could not be reached, in ssh's words.
    public var unreachable: String?

    public init(vm: String, status: Int32?, stdout: String = "", stderr: String = "", unreachable: String? = nil) {
        self.vm = vm
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.unreachable = unreachable
    }

    /// `exec`'s status for many: 0 only when every VM ran the command and it exited 0; else the
    /// first non-zero status in the VMs' order, or 3 when a VM could not be reached.
    public static func status(_ results: [ExecResult]) -> Int32 {
        if results.contains(where: { $0.status == nil }) { return 3 }
        return results.lazy.compactMap(\.status).first { $0 != 0 } ?? 0
    }
}

extension LabLifecycle {
    /// How long `exec` gives a guest to answer before it is named unreachable: its VMs are up.
    static let execReach = 10.0
    /// The longest a command of `exec` may run on a VM.
    static let execLimit = 300.0

    /// `line`, the user's own words, on each of `vms` (every VM of the lab when nil) at once,
    /// handed to the VM's login shell exactly as `vboxlab ssh VM -- line` hands it: no shell
    /// string is built here. A VM that cannot be reached is named with the reason; the others
    /// still run it.
    public func exec(_ line: String, vms chosen: [String]?) throws(VBoxLabError) -> [ExecResult] {
        let spec = try found.requireSpec()
        let all = spec.vms.map(\.name)
        for vm in chosen ?? [] where !all.contains(vm) {
            throw .lab(.noSuchVM(lab: found.name, vm: vm, vms: all))
        }
        guard found.record != nil else { throw .lab(.notCreated(lab: found.name, provider: provider.name)) }
        let vms = chosen.map { c in all.filter(c.contains) } ?? all
        let transports = try provider.transports(spec: spec, record: found.record)
        defer { closeAll(transports) }
        return parallelMap(vms, width: Parallelism.guests) { vm -> ExecResult in
            guard let t = transports[vm] else {
                return ExecResult(vm: vm, status: nil, unreachable: "\(provider.name) has no way into it")
            }
            do throws(VBoxLabError) {
                try t.waitUntilReachable(wait: Self.execReach, progress: { _ in })
                var command = try t.interactive(line: line)
                command.timeout = Self.execLimit
                command.outputLimit = Command.guestOutputLimit
                let r = try ProcessRunner(undo: environment.undo).run(command).fromGuest
                // ssh's own failure (255) is the way in failing, not the command's status.
                if t.login != nil && r.status == 255 {
                    let said = r.stderr.split(separator: "\n").last.map(String.init) ?? "nothing on stderr"
                    return ExecResult(vm: vm, status: nil, unreachable: "\(t.summary) failed (exit 255): \(said)")
                }
                return ExecResult(vm: vm, status: r.status, stdout: r.stdout, stderr: r.stderr)
            } catch {
                return ExecResult(vm: vm, status: nil, unreachable: LabChecker.whyUnreachable(error, through: t))
            }
        }
    }
}
