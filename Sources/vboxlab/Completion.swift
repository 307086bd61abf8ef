import VBoxLab

/// `vboxlab completion bash|zsh|fish`: scripts generated from the command types, so a new
/// command or option completes without anyone editing them; an enumerated option's values
/// come from the same list the parser checks. LAB words complete from the lab specs and
/// names in `.` and `./labs` (the finding rules' places).
enum Completion {
    static var words: [String] { Commands.specs.flatMap { [$0.name] + $0.aliases } + ["completion", "help"] }

    static func options(_ c: CommandSpec) -> [String] { c.options.map { "--\($0.name)" } + ["--help"] }

    /// Every enumerated option of any command, once, with its values.
    static var choices: [(option: String, values: [String])] {
        var seen = Set<String>(), out: [(String, [String])] = []
        for c in Commands.specs { for o in c.options { if let ch = o.choices, seen.insert(o.name).inserted { out.append(("--\(o.name)", ch.values)) } } }
        return out
    }

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
                     "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]}",
                     "  if [ \"$COMP_CWORD\" -eq 1 ]; then COMPREPLY=( $(compgen -W \"\(words.joined(separator: " "))\" -- \"$cur\") ); return; fi",
                     "  case $prev in"]
        for (option, values) in choices { lines.append("    \(option)) COMPREPLY=( $(compgen -W \"\(values.joined(separator: " "))\" -- \"$cur\") ); return ;;") }
        lines += ["  esac", "  local opts labs",
                  "  labs=$(ls *.json5 labs/*.json5 2>/dev/null | sed 's|^labs/||; s|\\.json5$||')",
                  "  case $cmd in"]
        for c in Commands.specs { lines.append("    \(([c.name] + c.aliases).joined(separator: "|"))) opts=\"\(options(c).joined(separator: " "))\" ;;") }
        lines += ["    completion) COMPREPLY=( $(compgen -W \"bash zsh fish\" -- \"$cur\") ); return ;;",
                  "    *) opts=\"\" ;;", "  esac",
                  "  case $cur in -*) COMPREPLY=( $(compgen -W \"$opts\" -- \"$cur\") ) ;; *) COMPREPLY=( $(compgen -W \"$labs\" -- \"$cur\") $(compgen -f -X '!*.json5' -- \"$cur\") ) ;; esac",
                  "  return 0", "}", "complete -F _vboxlab vboxlab"]
        return lines.joined(separator: "\n") + "\n"
    }

    static var zsh: String {
        var lines = ["#compdef vboxlab", "# zsh completion for vboxlab: source <(vboxlab completion zsh)",
                     "_vboxlab() {", "  local -a commands", "  commands=("]
        for c in Commands.specs {
            lines.append("    '\(c.name):\(c.summary.replacingOccurrences(of: "'", with: "'\\''").replacingOccurrences(of: ":", with: "\\:"))'")
            for alias in c.aliases { lines.append("    '\(alias):the same as \(c.name)'") }
        }
        lines += ["    'completion:a completion script for bash, zsh or fish'", "    'help:help on a command'", "  )",
                  "  if (( CURRENT == 2 )); then _describe 'command' commands; return; fi",
                  "  case ${words[CURRENT-1]} in"]
        for (option, values) in choices { lines.append("    \(option)) compadd \(values.joined(separator: " ")); return ;;") }
        lines += ["  esac", "  local -a opts labs", "  labs=(${${(f)\"$(ls *.json5 labs/*.json5 2>/dev/null)\"}:t:r})",
                  "  case ${words[2]} in"]
        for c in Commands.specs { lines.append("    \(([c.name] + c.aliases).joined(separator: "|"))) opts=(\(options(c).joined(separator: " "))) ;;") }
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
        for c in Commands.specs {
            lines.append("complete -c vboxlab -n '__fish_use_subcommand' -a '\(c.name)' -d '\(c.summary.replacingOccurrences(of: "'", with: "\\'"))'")
            for alias in c.aliases { lines.append("complete -c vboxlab -n '__fish_use_subcommand' -a '\(alias)' -d 'the same as \(c.name)'") }
            let names = ([c.name] + c.aliases).joined(separator: " ")
            for o in c.options {
                let help = o.help.replacingOccurrences(of: "'", with: "\\'")
                let values = o.choices.map { " -a '\($0.values.joined(separator: " "))'" } ?? ""
                lines.append("complete -c vboxlab -n '__fish_seen_subcommand_from \(names)' -l '\(o.name)'\(o.valueName == nil ? "" : " -r")\(values) -d '\(help)'")
            }
        }
        // No globs: an unmatched one is an error in fish. `ls` of both places, names only.
        lines.append("complete -c vboxlab -n 'not __fish_use_subcommand' -a '(command ls -1 . labs 2>/dev/null | string match -r \\'.*\\\\.json5$\\' | string replace -r \\'\\\\.json5$\\' \\'\\')'")
        return lines.joined(separator: "\n") + "\n"
    }
}
