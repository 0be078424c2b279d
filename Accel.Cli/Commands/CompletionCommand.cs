using System.CommandLine;

namespace Accel.Cli;

/// <summary>
/// Tab completion. System.CommandLine answers <c>accel "[suggest:POSITION]" "LINE"</c> with one completion a line
/// (commands, options, and the values below), from the same declarations as parsing and help. <c>accel completion
/// SHELL</c> prints a script that asks it directly (no dotnet-suggest needed); dotnet-suggest works too, since it
/// sends the same directive.
/// </summary>
internal static class CompletionCommand
{
    /// <summary>Values offered after an option, by option name: the closed sets accel accepts.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> KnownValues = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["--delegate"] = DelegateCatalog.Available,
        ["--backend"] = ["all", .. DelegateCatalog.Available],
        ["--mode"] = ["fp16", "dynamic", "int8", "int16x8"],
        ["--quantize"] = ["fp16", "dynamic", "int8", "int16x8"],
        ["--io"] = ["float", "int8", "uint8", "int16"],
        ["--range"] = ["minmax", "percentile", "mse"],
        ["--block"] = ["1x1", "1x4", "1x16"],
        ["--format"] = ["dense", "sparse"],
        ["--scope"] = ["layer", "global", "sensitivity"],
        ["--method"] = ["magnitude", "reconstruct"],
    };

    public static readonly string[] Shells = ["bash", "zsh", "pwsh"];

    public static Command Declare(CliContext context) =>
        new CommandSpec("completion", "prints a tab-completion script for bash, zsh or pwsh (e.g. source <(accel completion bash))",
                "SHELL", "bash, zsh or pwsh")
        {
            Details = """
                bash: add 'source <(accel completion bash)' to ~/.bashrc. zsh: 'source <(accel completion zsh)' in
                ~/.zshrc. PowerShell: 'accel completion pwsh | Out-String | Invoke-Expression' in $PROFILE.
                Each script runs accel "[suggest:POSITION]" "LINE" on Tab; with dotnet-suggest installed,
                'dotnet-suggest register --command-path $(which accel)' is the alternative.
                """,
        }
            .WithAction(parsed =>
            {
                if (parsed.Positionals.Count != 1)
                    throw new UsageException($"completion takes one SHELL ({string.Join(", ", Shells)})", "completion");
                context.Stdout.Write(Script(parsed.Positionals[0]));
                return AccelCli.ExitOk;
            });

    /// <summary>The script for <paramref name="shell"/>.</summary>
    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # accel tab completion (bash): source <(accel completion bash)
            _accel_complete() {
                local IFS=$'\n'
                COMPREPLY=($(compgen -W "$(accel "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -o bashdefault -F _accel_complete accel

            """,
        "zsh" => """
            # accel tab completion (zsh): source <(accel completion zsh)
            _accel_complete() {
                local -a completions
                completions=("${(@f)$(accel "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)}")
                compadd -a completions
                _files
            }
            compdef _accel_complete accel

            """,
        "pwsh" => """
            # accel tab completion (PowerShell): accel completion pwsh | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName accel -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                accel "[suggest:$cursorPosition]" "$commandAst" | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
        _ => throw new UsageException($"unknown shell '{shell}' ({string.Join(", ", Shells)})", "completion"),
    };
}
