namespace Accel.Cli.Tests;

/// <summary>
/// The command line on System.CommandLine: option syntaxes, repeats, response files, unknown options and the
/// exit codes (0 ok, 1 runtime error, 2 usage error).
/// </summary>
public sealed class CommandLineTests
{
    [Test]
    public void InlineValuesAliasesAndRepeatsReachTheCommand()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        var a = CliHarness.Run("run", model, "--random-seed=5", "-o", dir.File("a"), "--delegate", "reference");
        var b = CliHarness.Run("run", model, "--random-seed", "5", "--output-dir", dir.File("b"), "-d", "reference");
        Assert.That(a.ExitCode, Is.Zero, a.Stderr);
        Assert.That(b.ExitCode, Is.Zero, b.Stderr);
        Assert.That(File.ReadAllBytes(Path.Combine(dir.File("a"), "output_0.bin")), Is.EqualTo(File.ReadAllBytes(Path.Combine(dir.File("b"), "output_0.bin"))));
    }

    [Test]
    public void ResponseFilesExpandIntoArguments()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        string rsp = dir.File("args.rsp");
        File.WriteAllLines(rsp, ["run", model, "--random-seed", "5", "--output-dir", dir.File("rsp"), "--delegate", "reference"]);
        var fromFile = CliHarness.Run("@" + rsp);
        var direct = CliHarness.Run("run", model, "--random-seed", "5", "--output-dir", dir.File("direct"), "--delegate", "reference");
        Assert.That(fromFile.ExitCode, Is.Zero, fromFile.Stderr);
        Assert.That(File.ReadAllBytes(Path.Combine(dir.File("rsp"), "output_1.bin")), Is.EqualTo(File.ReadAllBytes(Path.Combine(dir.File("direct"), "output_1.bin"))));
        Assert.That(direct.ExitCode, Is.Zero, direct.Stderr);
    }

    [TestCase("run", "m.tflite", "--bogus", "unknown option '--bogus' for 'run'")]
    [TestCase("inspect", "m.tflite", "--bogus=1", "unknown option '--bogus' for 'inspect'")]
    [TestCase("ops", "extra", "", "'extra'")]
    [TestCase("version", "now", "", "'now'")]
    public void BadCommandLinesAreOneLineUsageErrorsExitTwo(string command, string first, string second, string expected)
    {
        var result = CliHarness.Run(new[] { command, first, second }.Where(a => a.Length > 0).ToArray());
        Assert.That(result.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), result.Stderr);
        Assert.That(result.StderrLines, Has.Length.EqualTo(1), result.Stderr);
        Assert.That(result.Stderr, Does.StartWith("accel: error: ").And.Contain(expected).And.Contain($"see 'accel help {command}'"));
    }

    [Test]
    public void ARepeatedSingleValueOptionIsAUsageError()
    {
        var result = CliHarness.Run("run", "m.tflite", "--runs", "2", "--runs", "3");
        Assert.That(result.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("--runs"));
    }

    [Test]
    public void DoubleDashEndsOptions()
    {
        // "--json" after "--" is a positional: a second MODEL, which inspect refuses in its own words.
        var result = CliHarness.Run("inspect", "m.tflite", "--", "--json");
        Assert.That(result.ExitCode, Is.EqualTo(AccelCli.ExitUsageError));
        Assert.That(result.Stderr, Does.Contain("expected one MODEL, got 2 arguments"));
    }

    [TestCase("conform", "merge")]
    [TestCase("perf", "compare")]
    [TestCase("quantize")]
    [TestCase("prune")]
    [TestCase("convert")]
    [TestCase("version")]
    public void EveryCommandHasGeneratedHelp(params string[] path)
    {
        var viaHelp = CliHarness.Run(["help", .. path]);
        var viaOption = CliHarness.Run([.. path, "--help"]);
        Assert.That(viaHelp.ExitCode, Is.Zero, viaHelp.Stderr);
        Assert.That(viaHelp.Stdout, Does.Contain("Usage:").And.Contain(string.Join(' ', path)).And.Contain("Options:"));
        Assert.That(viaOption.Stdout, Is.EqualTo(viaHelp.Stdout));
    }

    [Test]
    public void VersionOptionAndCommandAgree()
    {
        var command = CliHarness.Run("version");
        var option = CliHarness.Run("--version");
        Assert.That(command.ExitCode, Is.Zero);
        Assert.That(command.Stdout, Does.StartWith("accel ").And.Contain("Accel.Runtime.Core"));
        Assert.That(option.Stdout, Is.EqualTo(command.Stdout));
    }

    [Test]
    public void PerfWithoutASubcommandIsAUsageError()
    {
        var result = CliHarness.Run("perf");
        Assert.That(result.ExitCode, Is.EqualTo(AccelCli.ExitUsageError));
        Assert.That(result.Stderr, Does.Contain("'perf' needs a subcommand: report or compare"));
    }
}
