import Foundation
import VBoxLabHost
import VBoxLabModel

/// A running QEMU, known by its pid and the pid's start time: a pid alone can be reused by
/// another process after QEMU ends, and killing that one would be a disaster.
public struct QemuProcess: Sendable, Equatable {
    public var pid: Int
    /// Field 22 of `/proc/PID/stat`: clock ticks after boot when the process started.
    public var started: String

    /// What QEMU says when the ssh forward's port was taken between the look and its start.
    static let forwardRefused = "Could not set up host forwarding rule"

    /// The identity a record keeps: `PID@STARTTIME`.
    public var identity: String { "\(pid)@\(started)" }

    public init(pid: Int, started: String) {
        self.pid = pid
        self.started = started
    }

    public init?(identity: String?) {
        guard let parts = identity?.split(separator: "@"), parts.count == 2, let pid = Int(parts[0]) else { return nil }
        self.init(pid: pid, started: String(parts[1]))
    }

    /// The process with this pid as it is now, if there is one.
    public static func current(pid: Int) -> QemuProcess? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name (which may hold spaces and parentheses): state is field 3, start time field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z" else { return nil }
        return QemuProcess(pid: pid, started: String(fields[19]))
    }

    /// The process a pid file names, when it is running.
    public static func fromPidFile(_ path: String) -> QemuProcess? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let pid = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return current(pid: pid)
    }

    /// Still the same process (not ended, its pid not reused).
    public var isAlive: Bool { Self.current(pid: pid) == self }

    /// Its command line, for reading back what it runs with.
    public var argv: [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether its command line is the QEMU of one lab VM: its `-name` and its overlay disk.
    /// A pid and start time alone could name any process a record was edited to name.
    public func runs(hostName: String, overlay: String) -> Bool {
        let argv = self.argv
        let named = zip(argv, argv.dropFirst()).contains { $0 == "-name" && $1 == hostName }
        return named && argv.contains { $0.hasPrefix("file=\(overlay),") }
    }

    /// Waits up to `seconds` for the process to end.
    public func waitForEnd(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !isAlive { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return !isAlive
    }
}

/// QEMU's machine protocol on the VM's monitor socket: how a VM is powered off as its
/// power button or its plug would.
public enum QMP {
    /// Sends one command after the greeting and capabilities handshake; false when the
    /// monitor did not take it (the socket is gone or silent).
    public static func execute(_ command: String, socket: String, timeout: Double = 5) -> Bool {
        guard let s = UnixSocketSession(path: socket, timeout: timeout), s.readLine()?.contains("QMP") == true,
            s.send(#"{"execute":"qmp_capabilities"}"#), reply(s)
        else { return false }
        guard s.send(#"{"execute":"\#(command)"}"#) else { return false }
        // `quit` may close the socket before it answers: that is the answer.
        return reply(s) || command == "quit"
    }

    /// A line of QEMU's human monitor (`savevm NAME`), through QMP: what the monitor printed
    /// ("" when the command went through), or nil when the monitor did not answer in time.
    public static func humanMonitor(_ line: String, socket: String, timeout: Double) -> String? {
        guard let s = UnixSocketSession(path: socket, timeout: timeout), s.readLine()?.contains("QMP") == true,
            s.send(#"{"execute":"qmp_capabilities"}"#), reply(s)
        else { return nil }
        let request = JSONOut.object([
            ("execute", .string("human-monitor-command")), ("arguments", .object([("command-line", .string(line))])),
        ])
        guard s.send(request.rendered()) else { return nil }
        while let answer = s.readLine() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any] else {
                continue
            }
            if let said = object["return"] as? String { return said.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let error = object["error"] as? [String: Any] { return "error: \(error["desc"] as? String ?? "")" }
        }
        return nil
    }

    /// Reads to the command's reply, past any events.
    private static func reply(_ s: UnixSocketSession) -> Bool {
        while let line = s.readLine() {
            if line.contains(#""return""#) { return true }
            if line.contains(#""error""#) { return false }
        }
        return false
    }
}
