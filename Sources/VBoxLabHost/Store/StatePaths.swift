import Foundation
import VBoxLabModel

/// Where vboxlab keeps what outlives one command: lab records in the state directory
/// (`$XDG_STATE_HOME/vboxlab`, default `~/.local/state/vboxlab`), locks in the runtime
/// directory (`$XDG_RUNTIME_DIR/vboxlab`, else the system's default: `RuntimeDirectory`).
/// Tests point both at directories of their own through the same variables.
public struct StatePaths: Sendable, Equatable {
    public var state: String
    public var runtime: String

    public init(state: String, runtime: String) {
        self.state = state
        self.runtime = runtime
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> StatePaths {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let stateBase = env["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "\(home)/.local/state"
        return StatePaths(state: "\(stateBase)/vboxlab", runtime: RuntimeDirectory.path(environment: env))
    }

    public var labsDirectory: String { "\(state)/labs" }
}
