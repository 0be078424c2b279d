using System.Diagnostics;

namespace Accel.Cli.Tests;

/// <summary>Runs one of the repository's bash scripts (scripts/NAME) as the tests of its behaviour need it.</summary>
internal static class RepositoryScript
{
    /// <summary>
    /// Runs scripts/<paramref name="name"/> with <paramref name="arguments"/> and the <paramref name="environment"/>
    /// added to this process's; asserts that it finishes within a minute and returns its exit code with its standard
    /// output followed by its standard error.
    /// </summary>
    public static (int ExitCode, string Output) Run(string name, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryFolder.Root(), "scripts", name), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (variable, value) in environment) start.Environment[variable] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(60_000), $"scripts/{name} finishes");
        return (process.ExitCode, stdout + stderr.Result);
    }

    /// <summary>Writes a fake program (a script with its #! line) at <paramref name="path"/>, executable by its owner.</summary>
    public static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows()) // the scripts under test are bash; Windows has no execute bit to set
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
