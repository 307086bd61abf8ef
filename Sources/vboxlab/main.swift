import Foundation
import VBoxLab

// The executable only parses, calls the library and prints. Exit codes: lab-spec §5.
let argv = Array(CommandLine.arguments.dropFirst())
let code = CLI.run(argv)
exit(code)
