import Foundation

/// The lab spec: it cannot be found, read, parsed or used (exit 2).
public enum SpecError: Sendable, Equatable {
    case notFound(name: String, looked: [String], near: String? = nil)
    case unreadable(file: String, reason: String)
    case syntax(file: String, JSON5SyntaxError)
    case invalid([SpecDiagnostic])
    /// More than one thing fits where one is needed (labs, spec files), listing them.
    case ambiguous(what: String, candidates: [String], fix: String)
    /// A recorded lab whose spec file is gone, for a command that needs the spec.
    case noSpec(lab: String)
    /// Nothing named, nothing recorded, and no spec where the finding rules look.
    case nothingToFind(command: String)
    /// A lab record that exists but cannot be read: never taken for no record.
    case unreadableRecord(lab: String, file: String, reason: String)

    /// The sentences, without the "error: " that `VBoxLabError.explanation` puts first; a
    /// spec with several mistakes has a line for each, each an error of its own.
    public var message: String {
        switch self {
        case .notFound(let name, let looked, let near):
            return "no lab named '\(name)': looked for \(looked.joined(separator: ", "))"
                + (near.map { "; did you mean '\($0)'?" } ?? "")
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .syntax(let file, let e):
            if let line = e.line, let column = e.column { return "\(file):\(line):\(column): \(e.message)" }
            return "\(file): \(e.message)"
        case .invalid(let diagnostics):
            let noun = diagnostics.count == 1 ? "error" : "errors"
            return diagnostics.map(\.description).joined(separator: "\nerror: ")
                + "\n\(diagnostics.count) \(noun) in the spec; nothing was created"
        case .ambiguous(let what, let candidates, let fix):
            return "more than one of the \(what):\n" + candidates.map { "    \($0)" }.joined(separator: "\n")
                + "\n\(fix)"
        case .noSpec(let lab):
            return "lab \(lab) has no spec"
        case .unreadableRecord(let lab, let file, let reason):
            return
                "the record of lab \(lab) cannot be read: \(file): \(reason)\nvboxlab keeps it, since it says what "
                + "the lab made on this host. Repair the file, or forget the lab without touching the system: vboxlab "
                + "destroy \(lab) --forget (then remove what the lab made by hand)"
        case .nothingToFind(let command):
            return
                "no lab given, none recorded on this host, and no lab spec (*.json5) in . or ./labs; name one: "
                + "vboxlab \(command) LAB"
        }
    }
}

/// The lab: it cannot be planned, or is not in a state where the command can work (exit 1).
public enum LabError: Sendable, Equatable {
    case unmeetable(lab: String, conflicts: [PlanConflict])
    /// fix-macs (or another command that changes an existing lab) on a lab that was never made.
    case notCreated(lab: String, provider: String)
    /// Another vboxlab command holds the lab's lock: its pid and words where it wrote them.
    case busy(lab: String, lock: String, waited: Double, holder: String?)
    /// Objects the lab would make already exist and are not the lab's: each named with its owner.
    case taken(lab: String, what: String, objects: [String], fix: String)
    /// fix-macs changes existing VMs only.
    case lacksVMs(lab: String, vms: [String])
    /// Running VMs whose MAC or network must change, with the table of those changes.
    /// `retry` is the command that does it, with the user's options (the lifecycle fills it in).
    case mustPowerOff(lab: String, vms: [String], table: String, retry: String? = nil)
    /// A VM name the lab needs is taken by a VM outside the lab.
    case vmNameTaken(vm: String, lab: String, uuid: String, groups: [String])
    case noSuchVM(lab: String, vm: String, vms: [String])
    /// No lab at hand has that VM: `labs` names each lab looked at, with its VMs.
    case noLabWithVM(vm: String, labs: [String])
    case noCheckKept(lab: String, word: String)
    /// The spec's base cannot make the lab's VMs (no snapshot, ambiguous name, empty box).
    case unusableBase(String)
    /// create or fix-macs with another provider than the one that made the lab: one lab, one
    /// provider, so its objects are never half of each.
    case otherProvider(lab: String, recorded: String, chosen: String)
    /// A command that needs the lab running, on a lab `stop` put to rest.
    case atRest(lab: String, since: String, command: String)
    /// A lab day's command (stop, snapshot, capture) its provider has no way to do, and what does instead.
    case notSupported(provider: String, what: String, instead: String)
    /// A command that needs one VM running, on a VM that is not.
    case vmNotRunning(lab: String, vm: String, state: String)
    /// stop (or start) reached some VMs and not others: those are named, with the command that finishes it.
    case notAllDone(lab: String, doing: String, failed: [VMFailure], retry: String)

    public var explanation: String {
        switch self {
        case .unmeetable(let lab, let conflicts):
            return conflicts.map { "\(lab): \($0)" }.joined(separator: "\nerror: ")
        case .notCreated(let lab, let provider):
            return "lab \(lab) does not exist on this host (\(provider)); create it first: vboxlab create \(lab)"
        case .busy(let lab, let lock, let waited, let holder):
            let who = holder.map { "\($0), holds \(lock)" } ?? "another vboxlab command holds \(lock)"
            return "lab \(lab) is busy: \(who) (waited \(formatSeconds(waited)) s); run this again when it has finished"
        case .taken(let lab, let what, let objects, let fix):
            return
                "lab \(lab) would use \(what) that already exist and are not its own: "
                + "\(objects.joined(separator: ", ")); nothing was changed. \(fix)"
        case .lacksVMs(let lab, let vms):
            return
                "lab \(lab) lacks VMs \(vms.joined(separator: ", ")); fix-macs changes existing VMs only: vboxlab "
                + "create \(lab) --no-setup makes them"
        case .mustPowerOff(let lab, let vms, let table, let retry):
            return
                "\(vms.joined(separator: ", ")) must be powered off for these changes:\n\(table)\nnothing was "
                + "changed; let vboxlab shut them down, change them and start them again: "
                + (retry ?? "vboxlab fix-macs \(lab) --restart")
        case .vmNameTaken(let vm, let lab, let uuid, let groups):
            return
                "VM name \(vm) is taken: VirtualBox already has a VM of that name outside lab \(lab) (UUID \(uuid), "
                + "group \(groups.joined(separator: ","))); rename the lab's VM or that one"
        case .noSuchVM(let lab, let vm, let vms):
            var message = "lab \(lab) has no VM named \(vm)"
            if let near = suggestion(for: vm, among: vms) { message += "; did you mean '\(near)'?" }
            return message + " (its VMs: \(vms.joined(separator: ", ")))"
        case .noLabWithVM(let vm, let labs):
            guard !labs.isEmpty else {
                return "no lab has a VM named \(vm): no lab is recorded on this host, and no spec is in . or ./labs"
            }
            return
                "no lab has a VM named \(vm) (labs recorded, or specs in . and ./labs: \(labs.joined(separator: "; ")))"
        case .noCheckKept(let lab, let word):
            return "no check of lab \(lab) is kept yet; run vboxlab check \(word) first"
        case .unusableBase(let message):
            return message
        case .otherProvider(let lab, let recorded, let chosen):
            return
                "lab \(lab) was made with provider \(recorded), not \(chosen); nothing was changed. To move it: "
                + "vboxlab destroy \(lab), then vboxlab create \(lab) --provider \(chosen)"
        case .atRest(let lab, let since, let command):
            return "lab \(lab) is stopped (since \(since)); \(command) needs it running: vboxlab start \(lab)"
        case .notSupported(let provider, let what, let instead):
            return "a \(provider) lab cannot \(what); \(instead)"
        case .vmNotRunning(let lab, let vm, let state):
            return "\(vm) of lab \(lab) is not running (\(state)); vboxlab start \(lab) starts it"
        case .notAllDone(let lab, let doing, let failed, let retry):
            let named = failed.map { "\($0.vm) (\($0.reason))" }.joined(separator: ", ")
            return "\(doing) of lab \(lab) did not reach \(named); the other VMs are done. Finish it: \(retry)"
        }
    }
}

/// A guest: it did not answer, or refused what guest setup needs (exit 1).
public enum GuestError: Sendable, Equatable {
    case noAnswer(vm: String, target: String, seconds: Int, tried: String, last: String)
    case hostKeyChanged(vm: String, target: String, fix: String)
    case noSudo(vm: String, user: String)
    case keysUnreadable(vm: String)
    /// Guest setup of a create or fix-macs failed for some guests; the VMs and the record stay.
    case setupFailed(lab: String, failed: [GuestFailure], done: [String])

    public var explanation: String {
        switch self {
        case .noAnswer(let vm, let target, let seconds, let tried, let last):
            return "ssh to \(vm) (\(target)) did not answer within \(seconds) s: tried \(tried); last: \(last)"
        case .hostKeyChanged(let vm, let target, let fix):
            return
                "the host key of \(vm) (\(target)) is not the one vboxlab saw before, so ssh refused it. If \(vm) "
                + "was made again, forget the old key: \(fix) (vboxlab destroy forgets a lab's keys)"
        case .noSudo(let vm, let user):
            return
                "\(user) on \(vm) may not run sudo without a password, which guest setup needs; log in as root "
                + "(ssh.user) or give \(user) passwordless sudo"
        case .keysUnreadable(let vm):
            return "cannot read the keys to replace \(vm)'s box key"
        case .setupFailed(let lab, let failed, let done):
            let why = failed.map { "\($0.vm) \($0.why)" }.joined(separator: "; ")
            let rest = done.isEmpty ? "" : " \(done.joined(separator: ", ")) \(done.count == 1 ? "is" : "are") set up."
            let first = failed.first?.vm ?? "VM"
            return
                "lab \(lab) is made but not every guest is set up: \(why).\(rest) The VMs and the lab's record are "
                + "kept. When \(failed.count == 1 ? "it answers" : "they answer"): vboxlab ssh-setup "
                + "\(first)\(failed.count > 1 ? " (and each other one)" : ""), then vboxlab check \(lab)"
        }
    }
}

/// One guest that guest setup could not set up, and why, in a few words.
public struct GuestFailure: Sendable, Equatable {
    public var vm: String
    public var why: String
    public init(vm: String, why: String) {
        self.vm = vm
        self.why = why
    }
}

/// The host's programs and files: a program failed, or a file could not be written (exit 3).
public enum SystemError: Sendable, Equatable {
    /// An external program failed: its command line, exit status and stderr.
    case commandFailed(command: String, status: Int32, stderr: String)
    case cannotWrite(path: String, reason: String)
    /// A system did not do what it was asked, though the call succeeded.
    case disagrees(String)
    case download(url: String, reason: String)
    /// ssh logged in with no key the guest accepts: the command line and what ssh said.
    case sshKeyRefused(command: String, status: Int32, vm: String, user: String, key: String, said: String)
    /// A signal stopped the command: no program is started after it but the undo's.
    case interrupted
    /// A directory that must be this user's alone is not: named with why.
    case unsafeDirectory(path: String, reason: String)

    public var explanation: String {
        switch self {
        case .commandFailed(let command, let status, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "command failed (exit \(status)): \(command)"
                + (detail.isEmpty
                    ? "" : "\n" + detail.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
        case .sshKeyRefused(let command, let status, let vm, let user, let key, let said):
            let detail = "ssh to \(vm) as \(user) with key \(key) was refused: \(said)"
            return SystemError.commandFailed(command: command, status: status, stderr: detail).explanation
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .disagrees(let message):
            return message
        case .download(let url, let reason):
            return "could not download \(url): \(reason)"
        case .interrupted:
            return "interrupted: no further command was started"
        case .unsafeDirectory(let path, let reason):
            return "refusing to use \(path): \(reason); remove it (or point XDG_RUNTIME_DIR elsewhere) and run again"
        }
    }
}

/// Something the command needs is not on this host, or not usable (exit 4).
public enum Prerequisite: Sendable, Equatable {
    case missing(what: String, fix: String)
    /// There, but older than what vboxlab works with.
    case tooOld(what: String, need: String, found: String)
    /// There, but it could not be started.
    case cannotStart(program: String, reason: String)
    /// There, but in a form the tool cannot use.
    case unusable(what: String, reason: String, fix: String)
    /// The host has too little of what the lab needs (memory, cores): why, and the fix.
    case notEnough(String)

    public var explanation: String {
        switch self {
        case .missing(let what, let fix): return "\(what) is missing: \(fix)"
        case .tooOld(let what, let need, let found): return "\(what) is too old: vboxlab needs \(need); \(found)"
        case .cannotStart(let program, let reason): return "'\(program)' could not be started: \(reason)"
        case .unusable(let what, let reason, let fix): return "\(what) cannot be used: \(reason); \(fix)"
        case .notEnough(let why): return why
        }
    }
}

/// Seconds as a person writes them: 60, 0.5.
package func formatSeconds(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(s) }

/// One VM a command could not bring where it was asked, and what the system said.
public struct VMFailure: Sendable, Equatable {
    public var vm: String
    public var reason: String
    public init(vm: String, reason: String) {
        self.vm = vm
        self.reason = reason
    }
}
