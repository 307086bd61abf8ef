import Foundation
import VBoxLab

/// Runs one parsed command: loads the lab, calls the library, prints, picks the exit code.
struct Runner {
    let command: String
    let args: ParsedArguments

    func run() throws(VBoxLabError) -> Int32 {
        switch command {
        case "validate":
            _ = try LabLoader.load(args.positionals[0])
            return 0
        case "plan":
            let plan = try loadPlan()
            print(args.flag("json") ? plan.json.rendered(indent: 2) : plan.table)
            return 0
        case "ssh-setup":
            throw .failed("ssh-setup needs the VirtualBox provider's ssh transport, which this build does not have yet")
        default:
            break
        }
        switch try provider() {
        case "netns": return try NetnsCommands(command: command, args: args, runner: self).run()
        default: return try virtualBox()
        }
    }

    func loadPlan() throws(VBoxLabError) -> RegistrationPlan {
        let spec = try LabLoader.load(args.positionals[0])
        return try Solver.plan(spec, strategy: try strategyOverride())
    }

    func provider() throws(VBoxLabError) -> String {
        let value = args.value("provider") ?? ProcessInfo.processInfo.environment["VBOXLAB_PROVIDER"] ?? "virtualbox"
        guard ["virtualbox", "netns"].contains(value) else {
            throw .usage(message: "'\(value)' is not a provider (valid: virtualbox, netns)", usage: "USAGE: vboxlab \(command) LAB --provider virtualbox|netns")
        }
        return value
    }

    func strategyOverride() throws(VBoxLabError) -> Strategy? {
        guard let text = args.value("strategy") else { return nil }
        guard let s = Strategy(rawValue: text) else {
            throw .usage(message: "'\(text)' is not a strategy (valid: \(Strategy.allCases.map(\.rawValue).joined(separator: ", ")))",
                         usage: "USAGE: vboxlab \(command) LAB --strategy auto|mac-swap|promisc|none")
        }
        return s
    }

    private func virtualBox() throws(VBoxLabError) -> Int32 {
        _ = try loadPlan()
        let program = ProcessInfo.processInfo.environment["VBOXLAB_VBOXMANAGE"] ?? "VBoxManage"
        guard ProcessRunner.resolve(program) != nil else {
            throw .missing(what: "VBoxManage ('\(program)')", fix: "install VirtualBox or set VBOXLAB_VBOXMANAGE; without VirtualBox, use --provider netns")
        }
        throw .failed("the VirtualBox provider is not in this build yet; use --provider netns")
    }
}

/// ProgressHandler lines go to stderr, so stdout stays data.
let progressToStderr: ProgressHandler = { line in FileHandle.standardError.write(Data(("vboxlab: " + line + "\n").utf8)) }
