using System.Diagnostics;

namespace Accel.Cli.Tests;

/// <summary>
/// Tab completion: System.CommandLine's <c>[suggest:N]</c> directive answers from the declarations, and the script
/// <c>accel completion bash</c> prints completes a real bash command line with it.
/// </summary>
public sealed class CompletionTests
{
    private static string[] Suggest(string line) => Suggest(line, line.Length);

    private static string[] Suggest(string line, int position)
    {
        var result = CliHarness.Run($"[suggest:{position}]", line);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Test]
    public void APartialCommandNameCompletesToTheCommand() =>
        Assert.That(Suggest("accel ben"), Is.EqualTo(new[] { "bench" }));

    [Test]
    public void AfterACommandItsOptionsAndSubcommandsAreOffered()
    {
        var offered = Suggest("accel conform ");
        Assert.That(offered, Does.Contain("merge").And.Contain("--backend").And.Contain("--json").And.Contain("--no-color"));
        Assert.That(offered, Does.Not.Contain("inspect"), "another command's name is not offered here");
    }

    [Test]
    public void AnOptionWithAClosedSetOfValuesOffersThem()
    {
        Assert.That(Suggest("accel run m.tflite --delegate "), Is.SupersetOf(DelegateCatalog.Available));
        Assert.That(Suggest("accel quantize m.tflite --mode "), Is.EquivalentTo(new[] { "fp16", "dynamic", "int8", "int16x8" }));
        Assert.That(Suggest("accel quantize m.tflite --range "), Is.EquivalentTo(new[] { "minmax", "percentile", "mse" }));
        Assert.That(Suggest("accel convert m.onnx --quantize "), Is.EquivalentTo(new[] { "fp16", "dynamic", "int8", "int16x8" }));
        Assert.That(Suggest("accel prune m.tflite --scope "), Is.EquivalentTo(new[] { "layer", "global", "sensitivity" }));
        Assert.That(Suggest("accel prune m.tflite --method "), Is.EquivalentTo(new[] { "magnitude", "reconstruct" }));
    }

    [Test]
    public void AnUnknownShellIsAUsageError()
    {
        var result = CliHarness.Run("completion", "fish");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain("unknown shell 'fish'"));
    }

    [TestCase("zsh", "compdef _accel_complete accel")]
    [TestCase("pwsh", "Register-ArgumentCompleter -Native -CommandName accel")]
    public void EachShellsScriptAsksTheSuggestDirective(string shell, string registration)
    {
        var result = CliHarness.Run("completion", shell);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Contain("[suggest:").And.Contain(registration));
    }

    [Test]
    public void TheBashScriptCompletesARealCommandLine()
    {
        // The accel apphost built beside these tests, put on PATH as 'accel' the way the installed tool is.
        string apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "accel.exe" : "accel");
        if (!File.Exists(apphost) || OperatingSystem.IsWindows()) Assert.Ignore("needs bash and the accel apphost");
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("accel"), apphost);
        const string Script = """
            source <(accel completion bash)
            complete_line() { COMP_LINE="$1"; COMP_POINT=${#1}; read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _accel_complete; echo "$1 => ${COMPREPLY[*]}"; }
            complete_line "accel ben"
            complete_line "accel run m.tflite --delegate vu"
            """;
        var start = new ProcessStartInfo("bash", ["-c", Script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PATH"] = dir.Path + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(60_000), Is.True);
        Assert.That(process.ExitCode, Is.EqualTo(0), errors);
        Assert.That(output, Does.Contain("accel ben => bench\n").And.Contain("accel run m.tflite --delegate vu => vulkan\n"), errors);
    }
}
