namespace Accel.Cli;

/// <summary>What every command's action needs: the two writers and the environment read at the edge.</summary>
internal sealed record CliContext(TextWriter Stdout, TextWriter Stderr, CliEnvironment Environment);
