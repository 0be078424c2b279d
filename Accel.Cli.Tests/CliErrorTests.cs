namespace Accel.Cli.Tests;

public sealed class CliErrorTests
{
    private static void AssertOneErrorLine(CliResult result)
    {
        Assert.That(result.StderrLines, Has.Length.EqualTo(1), result.Stderr);
        Assert.That(result.Stderr, Does.StartWith("accel: error: "));
        Assert.That(result.Stderr, Does.Not.Contain("   at "), "no stack trace without --verbose");
    }

    [Test]
    public void MissingModelFileIsOneLineExitOne()
    {
        var result = CliHarness.Run("inspect", "/nonexistent/dir/model.tflite");
        Assert.That(result.ExitCode, Is.EqualTo(1));
        AssertOneErrorLine(result);
        Assert.That(result.Stderr, Does.Contain("model file not found: /nonexistent/dir/model.tflite"));
    }

    [Test]
    public void MissingModelFileForRunIsOneLineExitOne()
    {
        var result = CliHarness.Run("run", "/nonexistent/model.tflite", "--random-seed", "3");
        Assert.That(result.ExitCode, Is.EqualTo(1));
        AssertOneErrorLine(result);
    }

    [Test]
    public void TruncatedModelIsMalformedModelExitOne()
    {
        using var dir = new TempDirectory();
        var bytes = SmallModel.Build();
        string path = dir.File("truncated.tflite");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        foreach (var command in new[] { "inspect", "run" })
        {
            var result = CliHarness.Run(command, path);
            Assert.That(result.ExitCode, Is.EqualTo(1), command);
            AssertOneErrorLine(result);
            Assert.That(result.Stderr, Does.Contain("Malformed model"));
        }
    }

    [Test]
    public void VerboseAddsTheStackTrace()
    {
        using var dir = new TempDirectory();
        string path = dir.File("empty.tflite");
        File.WriteAllBytes(path, []);
        var result = CliHarness.Run("inspect", path, "--verbose");
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.StartWith("accel: error: Malformed model"));
        Assert.That(result.Stderr, Does.Contain(" at "));
    }

    [Test]
    public void UnknownCommandIsUsageErrorExitTwo()
    {
        var result = CliHarness.Run("frobnicate");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        AssertOneErrorLine(result);
        Assert.That(result.Stderr, Does.Contain("unknown command 'frobnicate'"));
    }

    [Test]
    public void NoArgumentsPrintsUsageAndExitsTwo()
    {
        var result = CliHarness.Run();
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain("Usage:").And.Contain("Commands:"));
    }

    [Test]
    public void BenchOfAMissingModelIsARuntimeError()
    {
        var result = CliHarness.Run("bench", "model.tflite", "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(1));
        AssertOneErrorLine(result);
        Assert.That(result.Stderr, Does.Contain("model file not found"));
    }

    [Test]
    public void UnknownDelegateIsAUsageErrorListingTheAvailableOnes()
    {
        var result = CliHarness.Run("run", "model.tflite", "--delegate", "gpu");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        AssertOneErrorLine(result);
        Assert.That(result.Stderr, Does.Contain("unknown delegate 'gpu'").And.Contain("available: reference, cpu, vulkan, ilgpu"));
    }

    [Test]
    public void HexagonIsADelegateName()
    {
        var result = CliHarness.Run("run", "model.tflite", "--delegate", "gpu");
        Assert.That(result.Stderr, Does.Contain("available: reference, cpu, vulkan, ilgpu, hexagon"));
    }

    [Test]
    public void DeviceDelegateThisMachineCannotRunIsAUsageErrorSayingWhy()
    {
        // ILGPU's default selection is CUDA, else OpenCL; this test names an accelerator kind that cannot exist.
        string? saved = Environment.GetEnvironmentVariable("ACCEL_ILGPU_ACCELERATOR");
        Environment.SetEnvironmentVariable("ACCEL_ILGPU_ACCELERATOR", "no-such-kind");
        try
        {
            var result = CliHarness.Run("inspect", "model.tflite", "--delegate", "cpu,ilgpu");
            Assert.That(result.ExitCode, Is.EqualTo(2));
            AssertOneErrorLine(result);
            Assert.That(result.Stderr, Does.Contain("'ilgpu' is unavailable on this machine: ").And.Contain("ACCEL_ILGPU_ACCELERATOR"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ACCEL_ILGPU_ACCELERATOR", saved);
        }
    }

    [TestCase("run", "m.tflite", "--bogus")]
    [TestCase("run", "m.tflite", "--random-seed", "-1")]
    [TestCase("run", "m.tflite", "--random-seed", "abc")]
    [TestCase("run", "m.tflite", "--runs", "0")]
    [TestCase("run", "m.tflite", "--input", "nofile")]
    [TestCase("run")]
    [TestCase("inspect", "a.tflite", "b.tflite")]
    [TestCase("inspect", "m.tflite", "--output-dir", "x")]
    [TestCase("help", "frobnicate")]
    public void BadArgumentsAreUsageErrorsExitTwo(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.Stderr);
        AssertOneErrorLine(result);
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    public void HelpPrintsUsageWithTheBackends(string flag)
    {
        var result = CliHarness.Run(flag);
        Assert.That(result.ExitCode, Is.EqualTo(0));
        // The command list is generated from the declarations (System.CommandLine), so it cannot drift from them.
        Assert.That(result.Stdout, Does.Contain("inspect <MODEL>"));
        Assert.That(result.Stdout, Does.Contain("run <MODEL>"));
        Assert.That(result.Stdout, Does.Contain("bench <MODEL>"));
        Assert.That(result.Stdout, Does.Contain("conform").And.Contain("quantize <MODEL>").And.Contain("convert <MODEL>"));
        Assert.That(result.Stdout, Does.Contain("vulkan (compute shaders)").And.Contain("ACCEL_ILGPU_ACCELERATOR=cpu"));
        Assert.That(result.Stdout, Does.Contain("hexagon (int8/uint8 on the Hexagon DSP"));
    }

    [TestCase("inspect", "--help")]
    [TestCase("help", "inspect")]
    public void InspectHelpDocumentsTheMacRules(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stdout, Does.Contain("Usage:").And.Contain(" inspect [<MODEL>...] [options]").And.Contain("--delegate <NAME[,NAME...]>").And.Contain("KH*KW*Cin"));
    }

    [TestCase("run", "--help")]
    [TestCase("help", "run")]
    public void RunHelpDocumentsTheGenerator(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stdout, Does.Contain("Usage:").And.Contain(" run [<MODEL>...] [options]").And.Contain("-i, --input <NAME_OR_INDEX=FILE.bin>").And.Contain("SplitMix64").And.Contain("0xD1B54A32D192ED03"));
    }

    [Test]
    public void VersionPrintsOneLine()
    {
        var result = CliHarness.Run("version");
        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stdout.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(result.Stdout, Does.StartWith("accel ").And.Contain("Accel.Runtime.Core"));
    }
}
