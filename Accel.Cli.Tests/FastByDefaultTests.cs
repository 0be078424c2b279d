namespace Accel.Cli.Tests;

/// <summary>
/// Without <c>--delegate</c>, run and bench use the CPU delegate (the reference running what it refuses);
/// <c>--delegate reference</c> keeps the reference executor alone, bit-identical.
/// </summary>
public sealed class FastByDefaultTests
{
    [Test]
    public void RunWithoutDelegateUsesTheCpuDelegateAndMatchesTheReferenceBitForBit()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        var fast = CliHarness.Run("run", model, "--random-seed", "3", "-o", dir.File("fast"));
        var reference = CliHarness.Run("run", model, "--random-seed", "3", "-o", dir.File("ref"), "--delegate", "reference");
        Assert.That(fast.ExitCode, Is.Zero, fast.Stderr);
        Assert.That(reference.ExitCode, Is.Zero, reference.Stderr);
        Assert.That(fast.Stdout, Does.Match(@"delegates: cpu, threads 1: [1-9]\d* of \d+ executed nodes delegated"));
        Assert.That(reference.Stdout, Does.Not.Contain("delegates:"), "--delegate reference runs no delegate");
        for (int i = 0; i < 2; i++)
            Assert.That(File.ReadAllBytes(Path.Combine(dir.File("fast"), $"output_{i}.bin")),
                Is.EqualTo(File.ReadAllBytes(Path.Combine(dir.File("ref"), $"output_{i}.bin"))), $"output {i}");
    }

    [Test]
    public void BenchWithoutDelegateReportsTheCpuBackend()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", SmallModel.WriteTo(dir), "--runs", "2", "--warmup", "0");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stdout, Does.Contain("backend: cpu, threads 1"));
    }

    [Test]
    public void BenchWithDelegateReferenceKeepsTheReference()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", SmallModel.WriteTo(dir), "--runs", "2", "--warmup", "0", "--delegate", "reference");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(result.Stdout, Does.Contain("backend: reference (scalar reference kernels"));
    }
}

/// <summary>accel reads its environment variables in one place and hands the libraries values.</summary>
public sealed class CliEnvironmentTests
{
    private static CliEnvironment Read(params (string Name, string Value)[] variables) =>
        CliEnvironment.Read(name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Test]
    public void UnsetVariablesGiveTheDefaultCacheAndNoOverrides()
    {
        var environment = Read();
        Assert.That(environment.Cache.Root, Is.EqualTo(AccelCache.DefaultRoot));
        Assert.That(environment.BenchHistoryDirectory, Is.EqualTo(Path.Combine(AccelCache.DefaultRoot, "bench-history")));
        Assert.That(environment.IlgpuAccelerator, Is.Null);
        Assert.That(environment.CpuKernelWidth, Is.Null);
        Assert.That(environment.VulkanValidation, Is.False);
    }

    [Test]
    public void EveryVariableReachesItsSetting()
    {
        var environment = Read(("ACCEL_CACHE", "/tmp/accel-cache"), ("ACCEL_BENCH_HISTORY", "/tmp/history"), ("ACCEL_ILGPU_ACCELERATOR", "cpu"),
            ("ACCEL_CPU_SIMD", "256"), ("ACCEL_VULKAN_VALIDATION", "1"));
        Assert.That(environment.Cache.Models, Is.EqualTo("/tmp/accel-cache/models"));
        Assert.That(environment.BenchHistoryDirectory, Is.EqualTo("/tmp/history"));
        Assert.That(environment.IlgpuAccelerator, Is.EqualTo("cpu"));
        Assert.That(environment.CpuKernelWidth, Is.EqualTo("256"));
        Assert.That(environment.VulkanValidation, Is.True);
        Assert.That(Read(("VK_INSTANCE_LAYERS", "VK_LAYER_KHRONOS_validation")).VulkanValidation, Is.True);
    }

    [Test]
    public void TheIlgpuSelectionReachesTheDelegate()
    {
        using var ilgpu = DelegateCatalog.CreateDelegate("ilgpu", Read(("ACCEL_ILGPU_ACCELERATOR", "cpu")));
        Assert.That(ilgpu.UnavailableReason, Is.Null);
        Assert.That(ilgpu.DeviceDescription, Does.Contain("Cpu"));
    }
}

/// <summary><c>accel run --json</c>: one JSON object on stdout, the outputs.json fields plus latency and plan.</summary>
public sealed class RunJsonTests
{
    [Test]
    public void JsonPrintsOneObjectWithOutputsLatencyAndPlan()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        var result = CliHarness.Run("run", model, "--random-seed", "4", "--runs", "3", "--json", "-o", dir.File("out"));
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("outputs").GetArrayLength(), Is.EqualTo(2));
        Assert.That(root.GetProperty("latencyMs").GetArrayLength(), Is.EqualTo(3));
        Assert.That(root.GetProperty("delegates")[0].GetString(), Is.EqualTo("cpu"));
        Assert.That(root.GetProperty("delegatedNodes").GetInt32(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("runtime").GetProperty("kernels").GetString(), Is.EqualTo("cpu+reference"));
        // The same output hashes as the outputs.json written beside the raw outputs.
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("out"), "outputs.json")));
        Assert.That(root.GetProperty("outputs")[1].GetProperty("sha256").GetString(),
            Is.EqualTo(manifest.RootElement.GetProperty("outputs")[1].GetProperty("sha256").GetString()));
    }
}
