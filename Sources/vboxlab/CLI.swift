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
            if let near = suggestion(for: name, among: Commands.all.map(\.name)) {
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
        // An interrupt makes the running command fail; the signal handler reports and exits.
        while Cleanup.shared.interrupted { sleep(1) }
        FileHandle.standardError.write(Data((error.explanation + "\n").utf8))
        return error.exitCode
    }
}

