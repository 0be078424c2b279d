namespace Accel.Cli;

/// <summary>The command line itself is wrong (unknown command or option, missing value). Exit code 2.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message, string? command = null) : base(message) => Command = command;

    /// <summary>The command whose usage to point at, or null for the top level.</summary>
    public string? Command { get; }
}

/// <summary>A problem found while doing the work (a missing file, an input of the wrong size). Exit code 1.</summary>
public sealed class CliException : Exception
{
    public CliException(string message) : base(message) { }
    public CliException(string message, Exception inner) : base(message, inner) { }
}
