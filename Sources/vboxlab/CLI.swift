import Foundation
import VBoxLab

enum CLI {
    static func run(_ argv: [String]) -> Int32 {
        guard let name = argv.first, name != "--help", name != "-h", name != "help" else {
            print(Commands.overview)
            return argv.isEmpty ? 2 : 0
        }
        guard let command = Commands.all.first(where: { $0.name == name }) else {
            var message = "unknown command '\(name)'"
            if let near = Commands.all.map(\.name).min(by: { distance(name, $0) < distance(name, $1) }), distance(name, near) <= 3 {
                message += "; did you mean '\(near)'?"
            }
            return fail(.usage(message: message, usage: "USAGE: vboxlab <command> [options]\n  See 'vboxlab --help'."))
        }
        do {
            let args = try ArgumentParser.parse(Array(argv.dropFirst()), for: command)
            if args.wantsHelp { print(command.help); return 0 }
            return try Runner(command: command.name, args: args).run()
        } catch {
            return fail(error)
        }
    }

    static func fail(_ error: VBoxLabError) -> Int32 {
        FileHandle.standardError.write(Data((error.explanation + "\n").utf8))
        return error.exitCode
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var prev = row[0]; row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let cur = row[j]; row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)); prev = cur
            }
        }
        return row[b.count]
    }
}

/// Runs one parsed command.
struct Runner {
    let command: String
    let args: ParsedArguments

    func run() throws(VBoxLabError) -> Int32 {
        switch command {
        case "validate":
            _ = try LabLoader.load(args.positionals[0])
            return 0
        case "plan":
            let spec = try LabLoader.load(args.positionals[0])
            let plan = try Solver.plan(spec, strategy: try strategyOverride())
            print(args.flag("json") ? plan.json.rendered(indent: 2) : plan.table)
            return 0
        default:
            throw .failed("'\(command)' is not available yet")
        }
    }

    func strategyOverride() throws(VBoxLabError) -> Strategy? {
        guard let text = args.value("strategy") else { return nil }
        guard let s = Strategy(rawValue: text) else {
            throw .usage(message: "'\(text)' is not a strategy (valid: \(Strategy.allCases.map(\.rawValue).joined(separator: ", ")))",
                         usage: "USAGE: vboxlab \(command) LAB --strategy auto|mac-swap|promisc|none")
        }
        return s
    }
}
