import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Runs a VM's guest script through its transport and reads back what it changed.
public enum GuestSetup {
    /// The script's change lines; empty when the guest was already set up.
    public static func run(_ script: GuestScript, through transport: GuestTransport) throws(VBoxLabError) -> [String] {
        let r = try transport.run(script)
        guard r.succeeded else {
            throw .commandFailed(
                command: "\(transport.summary) sh -s (the guest setup of \(transport.vm))", status: r.status,
                stderr: r.stderr)
        }
        // What the guest printed is the guest's: each line escaped before anyone shows it.
        let lines = r.stdout.split(separator: "\n").map { String($0).escapedOnOneLine }
        if lines.isEmpty || lines.last!.hasSuffix("nothing changed") { return [] }
        // The last line is the script's count ("VM: N changes").
        return Array(lines.dropLast())
    }
}

extension GuestTransport {
    /// Runs a guest script with `sh -s`: the script travels on standard input, so no shell
    /// string is ever built from spec values on either side.
    public func run(_ script: GuestScript) throws(VBoxLabError) -> CommandResult {
        try run(["sh", "-s"], input: script.text)
    }
}
