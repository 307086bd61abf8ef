import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

// The executable only parses, calls the library and prints. Exit statuses: `VBoxLabError.exitCode`.
// Ctrl-C and SIGTERM undo what a running create made, then exit.
// A reader that stops early (`vboxlab plan | head -1`) must not kill vboxlab mid-way: with
// SIGPIPE ignored, writes to a closed pipe fail quietly and the command ends as it would.
signal(SIGPIPE, SIG_IGN)
// The command's undo log: made here, its handlers installed here, passed down as a value.
let undo = UndoLog()
var signalSources: [DispatchSourceSignal] = []
for (number, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
        if undo.leavesInterruptToChild {
            undo.noteInterrupt()
            return
        }
        StandardError.emit("vboxlab: interrupted; removing what this run made\n")
        undo.interrupt()
        _exit(code)
    }
    source.resume()
    signalSources.append(source)
}
exit(CLI.run(Array(CommandLine.arguments.dropFirst()), undo: undo))
