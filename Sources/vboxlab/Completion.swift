import VBoxLab

/// `vboxlab completion bash|zsh|fish`: scripts generated from the commands' own specs, so a
/// new option completes without anyone editing them. LAB and VM words complete from the
/// lab specs and names in `.` and `./labs` (the finding rules' places).
enum Completion {
    static var words: [String] { CommandName.allCases.map(\.rawValue) + CommandName.aliases.keys.sorted() + ["completion", "help"] }

    static func options(_ c: CommandName) -> [String] { Commands.spec(c).options.map { "--\($0.name)" } + ["--help"] }

    static func script(for shell: String) -> String? {
        switch shell {
        case "bash": return bash
        case "zsh": return zsh
        case "fish": return fish
        default: return nil
        }
    }

    static var bash: String {
        var lines = ["# bash completion for vboxlab: source <(vboxlab completion bash)",
                     "_vboxlab() {",
                     "  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}",
                     "  if [ \"$COMP_CWORD\" -eq 1 ]; then COMPREPLY=( $(compgen -W \"\(words.joined(separator: " "))\" -- \"$cur\") ); return; fi",
                     "  local opts labs",
                     "  labs=$(ls *.json5 labs/*.json5 2>/dev/null | sed 's|^labs/||; s|\\.json5$||')",
                     "  case $cmd in"]
        for c in CommandName.allCases {
            let names = [c.rawValue] + CommandName.aliases.filter { $0.value == c }.keys.sorted()
            lines.append("    \(names.joined(separator: "|"))) opts=\"\(options(c).joined(separator: " "))\" ;;")
        }
        lines += ["    completion) COMPREPLY=( $(compgen -W \"bash zsh fish\" -- \"$cur\") ); return ;;",
                  "    *) opts=\"\" ;;", "  esac",
                  "  case $cur in -*) COMPREPLY=( $(compgen -W \"$opts\" -- \"$cur\") ) ;; *) COMPREPLY=( $(compgen -W \"$labs\" -- \"$cur\") $(compgen -f -X '!*.json5' -- \"$cur\") ) ;; esac",
                  "  return 0", "}", "complete -F _vboxlab vboxlab"]
        return lines.joined(separator: "\n") + "\n"
    }

    static var zsh: String {
        var lines = ["#compdef vboxlab", "# zsh completion for vboxlab: source <(vboxlab completion zsh)",
                     "_vboxlab() {", "  local -a commands", "  commands=("]
        for c in CommandName.allCases { lines.append("    '\(c.rawValue):\(Commands.spec(c).summary.replacingOccurrences(of: "'", with: "'\\''").replacingOccurrences(of: ":", with: "\\:"))'") }
        for (alias, c) in CommandName.aliases.sorted(by: { $0.key < $1.key }) { lines.append("    '\(alias):the same as \(c.rawValue)'") }
        lines += ["    'completion:a completion script for bash, zsh or fish'", "    'help:help on a command'", "  )",
                  "  if (( CURRENT == 2 )); then _describe 'command' commands; return; fi",
                  "  local -a opts labs", "  labs=(${${(f)\"$(ls *.json5 labs/*.json5 2>/dev/null)\"}:t:r})",
                  "  case ${words[2]} in"]
        for c in CommandName.allCases {
            let names = [c.rawValue] + CommandName.aliases.filter { $0.value == c }.keys.sorted()
            lines.append("    \(names.joined(separator: "|"))) opts=(\(options(c).joined(separator: " "))) ;;")
        }
        lines += ["    completion) compadd bash zsh fish; return ;;", "  esac",
                  "  if [[ $PREFIX == -* ]]; then compadd -a opts; else compadd -a labs; _files -g '*.json5'; fi",
                  "}", "compdef _vboxlab vboxlab"]
        return lines.joined(separator: "\n") + "\n"
    }

    static var fish: String {
        var lines = ["# fish completion for vboxlab: vboxlab completion fish | source",
                     "complete -c vboxlab -f",
                     "complete -c vboxlab -n '__fish_use_subcommand' -a 'completion' -d 'a completion script for bash, zsh or fish'",
                     "complete -c vboxlab -n '__fish_use_subcommand' -a 'help' -d 'help on a command'",
                     "complete -c vboxlab -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'"]
        for c in CommandName.allCases {
            let summary = Commands.spec(c).summary.replacingOccurrences(of: "'", with: "\\'")
            lines.append("complete -c vboxlab -n '__fish_use_subcommand' -a '\(c.rawValue)' -d '\(summary)'")
            let names = ([c.rawValue] + CommandName.aliases.filter { $0.value == c }.keys.sorted()).joined(separator: " ")
            for o in Commands.spec(c).options {
                let help = o.help.replacingOccurrences(of: "'", with: "\\'")
                lines.append("complete -c vboxlab -n '__fish_seen_subcommand_from \(names)' -l '\(o.name)'\(o.valueName == nil ? "" : " -r") -d '\(help)'")
            }
        }
        for (alias, c) in CommandName.aliases.sorted(by: { $0.key < $1.key }) {
            lines.append("complete -c vboxlab -n '__fish_use_subcommand' -a '\(alias)' -d 'the same as \(c.rawValue)'")
        }
        // No globs: an unmatched one is an error in fish. `ls` of both places, names only.
        lines.append("complete -c vboxlab -n 'not __fish_use_subcommand' -a '(command ls -1 . labs 2>/dev/null | string match -r \\'.*\\\\.json5$\\' | string replace -r \\'\\\\.json5$\\' \\'\\')'")
        return lines.joined(separator: "\n") + "\n"
    }
}
