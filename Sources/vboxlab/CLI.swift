import Foundation
import VBoxLab

enum CLI {
    static func run(_ argv: [String]) -> Int32 {
        guard let word = argv.first, word != "--help", word != "-h", word != "help" else {
            print(Commands.overview)
            return argv.isEmpty ? 2 : 0
        }
        guard let name = CommandName(rawValue: word) else {
            var message = "unknown command '\(word)'"
            let safe = CommandName.allCases.filter { !$0.isDestructive }.map(\.rawValue)
            if let near = suggestion(for: word, among: safe) { message += "; did you mean '\(near)'?" }
            return fail(.usage(message: message, usage: "USAGE: vboxlab <command> [options]\n  See 'vboxlab --help'."))
        }
        let command = Commands.spec(name)
        do {
            let args = try ArgumentParser.parse(Array(argv.dropFirst()), for: command)
            if args.wantsHelp { print(command.help); return 0 }
            return try LabCommands(command: name, args: args).run()
        } catch {
            return fail(error)
        }
    }

    static func fail(_ error: VBoxLabError) -> Int32 {
        // An interrupt makes the running command fail; the signal handler reports and exits.
        while Cleanup.shared.interrupted { sleep(1) }
        // Spec values reach messages: no control byte of theirs reaches the terminal.
        FileHandle.standardError.write(Data((error.explanation.escapedForTerminal + "\n").utf8))
        return error.exitCode
    }
}

/// Progress lines go to stderr, so stdout stays data.
let progressToStderr: ProgressHandler = { line in FileHandle.standardError.write(Data(("vboxlab: " + line.escapedForTerminal + "\n").utf8)) }
