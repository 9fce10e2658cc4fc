using System.CommandLine;

namespace Reader.Cli.Commands;

/// <summary>
/// wsi completion bash|zsh: prints a completion script that asks wsi itself what fits (System.CommandLine's
/// [suggest] directive), so verbs and options complete and slide arguments complete as file names.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # wsi completion for bash: eval "$(wsi completion bash)"
        _wsi_complete() {
          local IFS=$'\n'
          local suggestions
          suggestions=$(wsi "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
          COMPREPLY=($(compgen -W "${suggestions}" -- "${COMP_WORDS[COMP_CWORD]}"))
          if [ ${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}")); fi
        }
        complete -o filenames -F _wsi_complete wsi
        """;

    private const string Zsh = """
        # wsi completion for zsh: eval "$(wsi completion zsh)"
        _wsi_complete() {
          local -a suggestions
          suggestions=(${(f)"$(wsi "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)"})
          if (( ${#suggestions} )); then compadd -a suggestions; else _files; fi
        }
        compdef _wsi_complete wsi
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "print a shell completion script: eval \"$(wsi completion bash)\"") { shell };
        command.SetAction(p =>
        {
            Console.WriteLine(p.GetValue(shell) == "zsh" ? Zsh : Bash);
            return ExitCodes.Success;
        });
        return command;
    }
}
