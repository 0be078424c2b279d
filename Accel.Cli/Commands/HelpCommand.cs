using System.CommandLine;

namespace Accel.Cli;

/// <summary><c>accel help [COMMAND [SUBCOMMAND]]</c>: the generated help, as <c>accel COMMAND --help</c> prints it.</summary>
internal static class HelpCommand
{
    public static Command Declare(CliContext context, RootCommand root) =>
        new CommandSpec("help", "documents a command's options (same as 'accel COMMAND --help')", "COMMAND", "the command (and subcommand) to document")
            .WithAction(parsed =>
            {
                Command current = root;
                foreach (string word in parsed.Positionals)
                    current = current.Subcommands.FirstOrDefault(c => c.Name == word)
                        ?? throw new UsageException($"no help for unknown command '{string.Join(' ', parsed.Positionals)}'");
                return AccelCli.WriteHelp(root, parsed.Positionals, context.Stdout);
            });
}
