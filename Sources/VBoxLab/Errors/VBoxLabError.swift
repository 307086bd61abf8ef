/// Everything that can go wrong, as data. `explanation` is the one place that turns a
/// case into sentences for a person; `exitCode` is lab-spec §5's meaning of the case.
public enum VBoxLabError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad command line: the message, and the usage of the command.
    case usage(message: String, usage: String)
    case labNotFound(name: String, looked: [String])
    case unreadable(file: String, reason: String)
    case syntax(file: String, JSON5SyntaxError)
    case invalidSpec([SpecDiagnostic])
    case unmeetablePlan(lab: String, conflicts: [PlanConflict])
    /// An external program failed: its command line, exit status and stderr.
    case commandFailed(command: String, status: Int32, stderr: String)
    /// Something the command needs is not there: what, and how to get it.
    case missing(what: String, fix: String)
    /// A state the command cannot work from (a lock held, a VM unknown, ...).
    case failed(String)
    /// More than one thing fits where one is needed (labs, spec files): exit 2, listing them.
    case ambiguous(what: String, candidates: [String], fix: String)

    public var exitCode: Int32 {
        switch self {
        case .usage, .labNotFound, .unreadable, .syntax, .invalidSpec, .ambiguous: return 2
        case .unmeetablePlan, .failed: return 1
        case .commandFailed: return 3
        case .missing: return 4
        }
    }

    public var explanation: String {
        switch self {
        case .usage(let message, let usage):
            return "error: \(message)\n\n\(usage)"
        case .labNotFound(let name, let looked):
            return "error: no lab named '\(name)': looked for \(looked.joined(separator: ", "))"
        case .unreadable(let file, let reason):
            return "error: \(file): cannot read: \(reason)"
        case .syntax(let file, let e):
            if let line = e.line, let column = e.column { return "error: \(file):\(line):\(column): \(e.message)" }
            return "error: \(file): \(e.message)"
        case .invalidSpec(let diagnostics):
            let noun = diagnostics.count == 1 ? "error" : "errors"
            return diagnostics.map { "error: \($0)" }.joined(separator: "\n") + "\n\(diagnostics.count) \(noun) in the spec; nothing was created"
        case .unmeetablePlan(let lab, let conflicts):
            return conflicts.map { "error: \(lab): \($0)" }.joined(separator: "\n")
        case .commandFailed(let command, let status, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "error: command failed (exit \(status)): \(command)" + (detail.isEmpty ? "" : "\n" + detail.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
        case .missing(let what, let fix):
            return "error: \(what) is missing: \(fix)"
        case .failed(let message):
            return "error: \(message)"
        case .ambiguous(let what, let candidates, let fix):
            return "error: more than one of the \(what):\n" + candidates.map { "    \($0)" }.joined(separator: "\n") + "\n\(fix)"
        }
    }

    public var description: String { explanation }
}

import Foundation
