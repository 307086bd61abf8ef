import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// `vboxlab completion bash|zsh|fish`: thin scripts that hand the words typed so far to
/// `vboxlab __complete` and show its answer. Everything a word can be is decided once, in
/// `Completer`, from the command types and the lab at hand, so the three shells agree and
/// a new command, option or enumerated value completes without anyone editing a script.
enum Completion {
    static func script(for shell: String) -> String? {
        switch shell {
        case "bash": return bash
        case "zsh": return zsh
        case "fish": return fish
        default: return nil
        }
    }

    /// The answer for the shells: one candidate a line, a description after a tab.
    static func answer(_ words: [String], finder: LabFinder) -> String {
        Completer(finder: finder).complete(words).map { c in
            c.word + (c.help.map { "\t" + $0.replacingOccurrences(of: "\n", with: " ") } ?? "")
        }.map { $0 + "\n" }.joined()
    }

    static let bash = """
        # bash completion for vboxlab: source <(vboxlab completion bash)
        _vboxlab() {
          local IFS=$'\\n' cur=${COMP_WORDS[COMP_CWORD]}
          # Words as typed so far, the current one last; descriptions (after a tab) are for zsh and fish.
          COMPREPLY=( $(command vboxlab __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null | cut -f1) )
          # A directory is a step on the way to a spec: no space after it.
          if [ ${#COMPREPLY[@]} -eq 1 ] && [[ ${COMPREPLY[0]} == */ ]]; then compopt -o nospace 2>/dev/null; fi
          return 0
        }
        complete -F _vboxlab vboxlab

        """

    static let zsh = """
        #compdef vboxlab
        # zsh completion for vboxlab: source <(vboxlab completion zsh), after compinit
        _vboxlab() {
          local -a lines described plain dirs
          local line
          lines=( "${(@f)$(command vboxlab __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}" )
          for line in $lines; do
            if [[ -z $line ]]; then continue
            elif [[ $line == */ ]]; then dirs+=( "$line" )
            elif [[ $line == *$'\\t'* ]]; then described+=( "${${line%%$'\\t'*}//:/\\\\:}:${line#*$'\\t'}" )
            else plain+=( "$line" ); fi
          done
          (( ${#described} )) && _describe 'vboxlab' described
          (( ${#plain} )) && compadd -a plain
          # A directory is a step on the way to a spec: no space after it.
          (( ${#dirs} )) && compadd -S '' -a dirs
          return 0
        }
        compdef _vboxlab vboxlab

        """

    static let fish = """
        # fish completion for vboxlab: vboxlab completion fish | source
        complete -c vboxlab -e
        complete -c vboxlab -f -a '(command vboxlab __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'

        """
}
