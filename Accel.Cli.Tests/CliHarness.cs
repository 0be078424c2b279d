using Accel.Cli;

namespace Accel.Cli.Tests;

/// <summary>The result of one in-process <c>accel</c> invocation.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the CLI in-process and finds the test assets.</summary>
internal static class CliHarness
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = AccelCli.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static string CacheDirectory => AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).Root;

    /// <summary>A corpus model installed by scripts/ensure-assets.sh (the test command runs it first).</summary>
    public static string CorpusModel(string name)
    {
        string path = Path.Combine(CacheDirectory, "models", name + ".tflite");
        if (!File.Exists(path))
            Assert.Fail($"Corpus model {path} is missing: run scripts/ensure-assets.sh (the README's test command does).");
        return path;
    }
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "accel-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
