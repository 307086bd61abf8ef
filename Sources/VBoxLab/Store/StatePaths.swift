import Foundation

/// Where vboxlab keeps what outlives one command: lab records in the state directory
/// (`$XDG_STATE_HOME/vboxlab`, default `~/.local/state/vboxlab`), locks in the runtime
/// directory (`$XDG_RUNTIME_DIR/vboxlab`, `/run/vboxlab` for root). Tests point both
/// at directories of their own through the same variables.
public struct StatePaths: Sendable, Equatable {
    public var state: String
    public var runtime: String

    public init(state: String, runtime: String) { self.state = state; self.runtime = runtime }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> StatePaths {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let stateBase = env["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "\(home)/.local/state"
        let runtime: String
        if let r = env["XDG_RUNTIME_DIR"], r.hasPrefix("/") { runtime = "\(r)/vboxlab" }
        else if geteuid() == 0 { runtime = "/run/vboxlab" }
        else { runtime = "/tmp/vboxlab-\(geteuid())" }
        return StatePaths(state: "\(stateBase)/vboxlab", runtime: runtime)
    }

    public var labsDirectory: String { "\(state)/labs" }
}
