using System.CommandLine;
using Fleet.Cli.Hosting;

namespace Fleet.Cli.Commands;

/// <summary>
/// <c>fleet completion bash|zsh</c>: a script that asks <c>fleet</c> itself for completions through
/// System.CommandLine's <c>[suggest]</c> directive, so it always knows the commands of this version.
/// </summary>
internal static class CompletionCommand
{
    public const string Bash = """
        # fleet completion for bash: source <(fleet completion bash)
        _fleet_complete() {
          local IFS=$'\n'
          COMPREPLY=( $(compgen -W "$(fleet "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _fleet_complete fleet

        """;

    public const string Zsh = """
        #compdef fleet
        # fleet completion for zsh: source <(fleet completion zsh)
        _fleet() {
          local -a suggestions
          suggestions=("${(@f)$(fleet "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)}")
          compadd -a suggestions
        }
        compdef _fleet fleet

        """;

    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", Help.Describe(
            "Print a shell completion script.",
            "source <(fleet completion bash)",
            "fleet completion zsh > \"${fpath[1]}/_fleet\""))
        {
            shell,
        };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return 0;
        });
        return command;
    }
}
