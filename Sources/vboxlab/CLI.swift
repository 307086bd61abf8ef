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

