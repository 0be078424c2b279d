using System.CommandLine;

namespace Accel.Cli;

/// <summary><c>accel version</c> (also <c>accel --version</c>): accel's, the runtime library's and .NET's versions.</summary>
internal static class VersionCommand
{
    public static Command Declare(CliContext context) =>
        new CommandSpec("version", "prints the versions of accel, Accel.Runtime.Core and .NET")
            .WithAction(parsed =>
            {
                if (parsed.Positionals.Count > 0) throw new UsageException($"'version' takes no arguments, got '{parsed.Positionals[0]}'", "version");
                context.Stdout.WriteLine(AccelCli.VersionText());
                return AccelCli.ExitOk;
            });
}
