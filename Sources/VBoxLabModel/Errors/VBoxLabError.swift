/// Everything that can go wrong, as data, sorted by domain. Each domain has one exit
/// status (`exitCode`, the only place that maps them) and its own cases; `explanation`
/// turns any case into sentences for a person.
///
/// | domain          | exit | what it means                                              |
/// | --------------- | ---- | ---------------------------------------------------------- |
/// | `usage`         | 2    | the command line is wrong                                  |
/// | `spec`          | 2    | the lab spec cannot be found, read or used                 |
/// | `lab`           | 1    | the lab cannot be planned or is not in a state to do this  |
/// | `guest`         | 1    | a guest did not answer or refused what setup needs         |
/// | `system`        | 3    | an external program failed, or a file could not be written |
/// | `prerequisite`  | 4    | something the command needs is not on this host            |
public enum VBoxLabError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad command line: the message, and the usage of the command.
    case usage(message: String, usage: String)
    case spec(SpecError)
    case lab(LabError)
    case guest(GuestError)
    case system(SystemError)
    case prerequisite(Prerequisite)

    public var exitCode: Int32 {
        switch self {
        case .usage, .spec: return 2
        // A VM name that is not the lab's is a mistyped argument, not a lab that fails (and not
        // a remote command's exit 1, for `vboxlab ssh`).
        case .lab(.noSuchVM), .lab(.noLabWithVM): return 2
        case .lab, .guest: return 1
        case .system: return 3
        case .prerequisite: return 4
        }
    }

    /// The sentences alone, for a summary line or a message of its own (`check`'s unreachable
    /// guests, setup's failed guests): no "error: " prefix to strip.
    public var message: String {
        switch self {
        case .usage(let message, _): return message
        case .spec(let e): return e.message
        case .lab(let e): return e.explanation
        case .guest(let e): return e.explanation
        case .system(let e): return e.explanation
        case .prerequisite(let e): return e.explanation
        }
    }

    /// The whole failure for a person, the one place "error: " is put in front; a usage
    /// error ends with the command's usage.
    public var explanation: String {
        if case .usage(let message, let usage) = self { return "error: \(message)\n\n\(usage)" }
        return "error: \(message)"
    }

    public var description: String { explanation }
}

/// The shorthands every layer throws.
extension VBoxLabError {
    public static func commandFailed(command: String, status: Int32, stderr: String) -> VBoxLabError {
        .system(.commandFailed(command: command, status: status, stderr: stderr))
    }
    public static func missing(what: String, fix: String) -> VBoxLabError {
        .prerequisite(.missing(what: what, fix: fix))
    }
    public static func labNotFound(name: String, looked: [String]) -> VBoxLabError {
        .spec(.notFound(name: name, looked: looked))
    }
    public static func unreadable(file: String, reason: String) -> VBoxLabError {
        .spec(.unreadable(file: file, reason: reason))
    }
    public static func syntax(file: String, _ error: JSON5SyntaxError) -> VBoxLabError {
        .spec(.syntax(file: file, error))
    }
    public static func invalidSpec(_ diagnostics: [SpecDiagnostic]) -> VBoxLabError { .spec(.invalid(diagnostics)) }
    public static func ambiguous(what: String, candidates: [String], fix: String) -> VBoxLabError {
        .spec(.ambiguous(what: what, candidates: candidates, fix: fix))
    }
    public static func unmeetablePlan(lab: String, conflicts: [PlanConflict]) -> VBoxLabError {
        .lab(.unmeetable(lab: lab, conflicts: conflicts))
    }
}
