using System.CommandLine;

namespace Accel.Cli;

public static partial class OpsCommand
{
    internal static Command Declare(CliContext context) =>
        new CommandSpec("ops", "operator coverage: every defined operator x dtype, its versions, and per backend whether it runs it or why not (docs/ops.md)",
                positionalName: null) { Details = Description }
            .Switch("--json", "print one JSON object (schema below) instead of text")
            .Switch("--markdown", "print docs/ops.md (the generated page: no machine-specific content)")
            .Option("--write-docs", "FILE", "write that page to FILE; regenerate the checked-in one with 'accel ops --write-docs docs/ops.md' from the repository root")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Execute(parsed, context.Stdout, context.Environment));
}
