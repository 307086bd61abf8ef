import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// Progress lines go to stderr, so stdout stays data. On a terminal, a line of where a wait
/// stands ("waiting for ...") is drawn over the one before it, so a long wait is one line.
let progressToStderr: ProgressHandler = { line in
    guard !Output.quiet, !Output.shownAbove.get().contains(line) else { return }
    let text = "vboxlab: " + line.escapedForTerminal
    guard isatty(2) == 1 else {
        StandardError.emit((text + "\n"))
        return
    }
    let inPlace = line.hasPrefix("waiting for ")
    let clear = Output.statusShown.get() ? "\r\u{1B}[K" : ""
    StandardError.emit(clear + text + (inPlace ? "" : "\n"))
    Output.statusShown.set(inPlace)
}

/// What the global options ask of the output.
enum Output {
    nonisolated(unsafe) static var quiet = false
    nonisolated(unsafe) static var verbose = false
    enum ColorWhen: String, CaseIterable { case auto, always, never }
    nonisolated(unsafe) static var color = ColorWhen.auto
    /// Whether the last progress line on the terminal is a wait's status, to be drawn over.
    static let statusShown = Locked(false)

    /// Lines the user has just been shown (the table above a question): progress skips them.
    static let shownAbove = Locked(Set<String>())

    /// Progress and results go to one terminal: a summary need not list again what progress
    /// showed. Data on stdout (a pipe, a file) keeps every line.
    static var progressShownOnTheSameTerminal: Bool { !quiet && isatty(1) == 1 && isatty(2) == 1 }

    /// Colour on a terminal, unless NO_COLOR is set; `--color always|never` decides outright.
    static func colors(_ handle: FileHandle) -> Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto:
            return isatty(handle.fileDescriptor) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        }
    }

    static func paint(_ s: String, _ h: CheckReport.Highlight) -> String {
        guard colors(FileHandle.standardOutput) else { return s }
        switch h {
        case .good: return "\u{1B}[32m\(s)\u{1B}[0m"
        case .bad: return "\u{1B}[31m\(s)\u{1B}[0m"
        case .heading: return "\u{1B}[1m\(s)\u{1B}[0m"
        }
    }

    /// The environment every command runs in: state from XDG variables, programs through a
    /// runner that shows each command under `-v`, progress on stderr.
    static func environment(undo: UndoLog, progress: @escaping ProgressHandler = progressToStderr) -> LabEnvironment {
        let runner: CommandRunner =
            verbose ? VerboseRunner(inner: ProcessRunner(undo: undo)) : ProcessRunner(undo: undo)
        var env = LabEnvironment(runner: runner, progress: progress, undo: undo)
        env.installedHome = installedHome
        return env
    }

    /// `PREFIX/share/vboxlab` when this binary is `PREFIX/bin/vboxlab` as `scripts/install`
    /// put it (found from the executable's real path, so a symbolic link to it works too);
    /// nil for a binary in the build tree.
    static var installedHome: String? {
        guard let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        let share = exe.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("share/vboxlab")
            .path
        return FileManager.default.fileExists(atPath: share + "/labs") ? share : nil
    }

    /// A warning on stderr, for a person.
    static func warn(_ text: String) { StandardError.emit("warning: \(text.escapedForTerminal)\n") }

    static let number = "0.6.0"
    /// The version, and the commit of the source tree it was built from: an installed binary
    /// reads the commit `scripts/install` stamped beside its labs (the tree may have moved on,
    /// or be gone); a binary in the build tree asks git there.
    static var version: String {
        if let home = installedHome, let stamp = try? String(contentsOfFile: home + "/commit", encoding: .utf8),
            !stamp.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        {
            return "vboxlab \(number) (commit \(stamp.trimmingCharacters(in: .whitespacesAndNewlines)))"
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let commit = (try? ProcessRunner().run(Command("git", ["-C", source, "rev-parse", "--short", "HEAD"])))
            .flatMap { $0.succeeded ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
        return "vboxlab \(number) (commit \(commit ?? "unknown: the source tree is not at hand"))"
    }
}

/// `-v`: every external command on stderr as it starts, with its exit status after.
struct VerboseRunner: CommandRunner {
    let inner: CommandRunner
    func run(_ command: Command) throws(VBoxLabError) -> CommandResult {
        StandardError.emit("vboxlab: $ \(Command(command.program, command.arguments).description)\n")
        let r = try inner.run(command)
        if !r.succeeded { StandardError.emit("vboxlab:   exit \(r.status)\n") }
        return r
    }
    func run(_ command: Command, settled: SettledCheck) throws(VBoxLabError) -> CommandResult {
        StandardError.emit("vboxlab: $ \(Command(command.program, command.arguments).description)\n")
        let r = try inner.run(command, settled: settled)
        if !r.succeeded { StandardError.emit("vboxlab:   exit \(r.status)\n") }
        return r
    }
}
