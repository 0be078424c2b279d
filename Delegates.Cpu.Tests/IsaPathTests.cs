using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Every vector path of the CPU delegate, on one machine: the bit-exactness checks (seeded single-operator models of
/// every element-wise, pooling, reduction and data-movement kernel, plus the small corpus models end to end) re-run in
/// child processes (IsaRunner) with the runtime's ISA switches, so the narrower paths the JIT would never pick here
/// are compiled and executed: DOTNET_EnableAVX512F=0 (at most Vector256), DOTNET_EnableAVX2=0 (Vector128, software
/// FMA), DOTNET_EnableHWIntrinsic=0 (scalar), and ACCEL_CPU_SIMD=512 (these kernels' Vector512 instantiation even
/// where AVX-512 is absent and .NET emulates it). Each child must exit 0, print "N passed, 0 failed" and report the
/// expected path.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class IsaPathTests
{
    private static string? _runner;

    [OneTimeSetUp]
    public void BuildRunner() => _runner = IsaRunnerBuild.Locate();

    [Test]
    public void WithAvx512DisabledEveryKernelStaysBitExactOnAtMostVector256()
    {
        var run = Run("DOTNET_EnableAVX512F", "0");
        Assert.That(run.Path, Does.Not.StartWith("Vector512"), run.Output);
    }

    [Test]
    public void WithAvx2DisabledEveryKernelStaysBitExactOnVector128OrScalar()
    {
        var run = Run("DOTNET_EnableAVX2", "0");
        Assert.That(run.Path, Does.StartWith("Vector128").Or.StartWith("scalar"), run.Output);
    }

    [Test]
    public void WithHardwareIntrinsicsDisabledEveryKernelStaysBitExactOnTheScalarPath()
    {
        var run = Run("DOTNET_EnableHWIntrinsic", "0");
        Assert.That(run.Path, Does.StartWith("scalar"), run.Output);
    }

    [Test]
    public void TheVector512InstantiationIsBitExactEvenWhereItIsEmulated()
    {
        // Kernels-only switch (see SimdWidths.OverrideVariable); the corpus models are left to the runs above.
        var run = Run("ACCEL_CPU_SIMD", "512", "--no-corpus");
        Assert.That(run.Output, Does.Contain("kernel width override (ACCEL_CPU_SIMD): 512"));
    }

    private sealed record RunnerResult(int ExitCode, string Path, string Output);

    private static RunnerResult Run(string variable, string value, params string[] arguments)
    {
        var start = new ProcessStartInfo(IsaRunnerBuild.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_runner!);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        start.Environment.Remove("ACCEL_CPU_SIMD");
        start.Environment[variable] = value;
        var (exitCode, output) = IsaRunnerBuild.Execute(start, TimeSpan.FromMinutes(10));
        TestContext.Out.WriteLine($"{variable}={value}:\n{output}");
        string path = output.Split('\n').FirstOrDefault(l => l.StartsWith("path: ", StringComparison.Ordinal))?["path: ".Length..].Trim() ?? "";
        Assert.That(exitCode, Is.Zero, $"IsaRunner with {variable}={value} failed:\n{output}");
        Assert.That(output, Does.Match(@"\b[1-9]\d* passed, 0 failed"), output);
        return new RunnerResult(exitCode, path, output);
    }
}

/// <summary>
/// Builds IsaRunner (Release) into a private artifacts folder under the temp directory — independent of how the test
/// project itself was built, and always current with the sources — and returns the path of IsaRunner.dll.
/// </summary>
internal static class IsaRunnerBuild
{
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static string Locate([CallerFilePath] string thisFile = "")
    {
        string project = Path.Combine(RepositoryRoot(thisFile), "Delegates.Cpu.Tests", "IsaRunner", "IsaRunner.csproj");
        Assert.That(File.Exists(project), Is.True, $"IsaRunner project not found at {project}");
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(project)))[..12];
        string artifacts = Path.Combine(Path.GetTempPath(), "accel-isarunner-" + key);
        Directory.CreateDirectory(artifacts);
        // One build at a time per checkout (two test runs at once would otherwise share obj/).
        using (AcquireLock(Path.Combine(artifacts, ".lock")))
        {
            var start = new ProcessStartInfo(DotnetHost)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { "build", project, "-c", "Release", "--artifacts-path", artifacts, "-nologo", "-v", "q" })
                start.ArgumentList.Add(a);
            var (exitCode, output) = Execute(start, TimeSpan.FromMinutes(8));
            Assert.That(exitCode, Is.Zero, $"building IsaRunner failed:\n{output}");
        }
        string dll = Path.Combine(artifacts, "bin", "IsaRunner", "release", "IsaRunner.dll");
        Assert.That(File.Exists(dll), Is.True, $"IsaRunner.dll not found at {dll}");
        return dll;
    }

    public static (int ExitCode, string Output) Execute(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{start.FileName} {string.Join(" ", start.ArgumentList)} did not finish within {timeout}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string RepositoryRoot(string thisFile)
    {
        var candidates = new[] { Path.GetDirectoryName(thisFile), AppContext.BaseDirectory, Environment.CurrentDirectory };
        foreach (string? start in candidates)
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Accel.sln"))) return dir.FullName;
        Assert.Fail("could not find the repository root (Accel.sln) from the test's source path or working directory");
        return "";
    }

    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }
}
