import Foundation
import VBoxLabModel

/// An external program run as an argument array: never a shell string built from spec values.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    public var program: String
    public var arguments: [String]
    /// Fed to the program's standard input (batches, guest scripts).
    public var input: String?
    /// Variables set for the program on top of this process's environment (`LC_ALL=C`
    /// for VBoxManage, whose messages are parsed).
    public var environment: [String: String]
    /// Seconds after which the program is stopped and the run counts as failed.
    public var timeout: Double?
    /// Bytes kept of each of stdout and stderr; the rest is read, counted and dropped, so a
    /// program that writes without end (a hostile guest's) costs no memory. nil: all of it.
    public var outputLimit: Int?

    public init(
        _ program: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
        timeout: Double? = nil, outputLimit: Int? = nil
    ) {
        self.program = program
        self.arguments = arguments
        self.input = input
        self.environment = environment
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    /// What a guest's command may leave in memory per stream: far more than any `ip -j` or
    /// guest script prints, far less than a guest could send.
    public static let guestOutputLimit = 1 << 20

    /// The command line, shell-quoted, as `--dry-run` prints it. A command with input
    /// shows it as a here-document so the line can be pasted into a shell.
    public var description: String {
        let line = ([program] + arguments).map(shellQuote).joined(separator: " ")
        guard let input else { return line }
        return line + " <<'EOF'\n" + input + (input.hasSuffix("\n") ? "" : "\n") + "EOF"
    }
}

public struct CommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public init(status: Int32, stdout: String = "", stderr: String = "") {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
    public var succeeded: Bool { status == 0 }
}

/// Quotes a word for a POSIX shell only when it needs it.
public func shellQuote(_ word: String) -> String {
    let safe = word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0)) }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
