using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;
using X86 = System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Every vector path of the CPU delegate, on one machine: the bit-exactness checks (every case of the cross-backend op
/// suite, Delegates.Testing/OpSuite, at 1 and 2 threads, plus the small corpus models end to end) re-run in child
/// processes (IsaRunner) with the .NET 10 runtime's ISA switches, so the paths the JIT would not pick here are
/// compiled and executed too, and each test asserts the path the child reports (SimdPath.Describe, the ISA flags the
/// runtime reports, the kernels' widths):
/// <list type="bullet">
/// <item>AVX-512 / Vector512: <c>DOTNET_PreferredVectorBitWidth=512</c> (also where .NET would otherwise keep to 256-bit
/// vectors on an AVX-512 CPU).</item>
/// <item>AVX2 / Vector256: <c>DOTNET_EnableAVX512=0</c> and <c>DOTNET_EnableAVXVNNI=0</c> (in .NET 10 one switch for AVX-512 F+BW+CD+DQ+VL; AVX10 depends on
/// it, and <c>DOTNET_EnableAVX10v1=0</c> is set as well). The older <c>DOTNET_EnableAVX512F=0</c> is ignored by .NET 10
/// (the Vector512 path still ran); <c>DOTNET_PreferredVectorBitWidth=256</c> would lower the vector width but leave the
/// AVX-512 instructions (EVEX encodings, masking) in the Vector256 code, unlike a real AVX2 machine.</item>
/// <item>Vector128: <c>DOTNET_EnableAVX=0</c> (no AVX, AVX2, FMA or AVX-512: SSE encodings, software FMA).</item>
/// <item>scalar: <c>DOTNET_EnableHWIntrinsic=0</c>.</item>
/// <item>The kernels' Vector512 instantiation where .NET emulates it: <c>DOTNET_EnableAVX512=0</c> with
/// <c>ACCEL_CPU_SIMD=512</c> (SimdPath.OverrideVariable, a kernels-only switch).</item>
/// </list>
/// Every ISA switch (and ACCEL_CPU_SIMD) inherited from the test process's environment is removed from the child's
/// first, so each run gets exactly the path it asks for. A path this machine cannot run (no AVX-512, no AVX2; as the
/// test process sees it, so running the tests with e.g. DOTNET_EnableAVX512=0 stands in for an AVX2-only machine) is
/// not passed silently: the test is ignored with the reason. Each child must exit 0 and print "N passed, 0 failed".
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class IsaPathTests
{
    private static string? _runner;

    /// <summary>Runtime configuration knobs that change which ISAs or vector widths .NET uses (DOTNET_ or COMPlus_ prefix).</summary>
    private static readonly Regex IsaSwitch = new(
        @"^(DOTNET|COMPlus)_(EnableHWIntrinsic|Enable(AVX|SSE|FMA|APX|AES|BMI|LZCNT|POPCNT|PCLMULQDQ|VPCLMULQDQ|MOVBE|GFNI|X86Serialize|EVEX|Arm64)\w*|PreferredVectorBitWidth|MaxVectorTBitWidth)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    [OneTimeSetUp]
    public void BuildRunner() => _runner = IsaRunnerBuild.Locate();

    [Test]
    public void OnTheAvx512PathEveryKernelIsBitExact()
    {
        RequireMachine(X86.Avx512F.IsSupported, "AVX-512 (Avx512F.IsSupported is false), so the Vector512 path cannot run here");
        var run = RunCases([("DOTNET_PreferredVectorBitWidth", "512")]);
        AssertPath(run, "Vector512", ("Avx512F", true), ("Vector512", true));
        if (X86.AvxVnni.IsSupported) Assert.That(run.Line("quantized"), Is.EqualTo("int8 AvxVnni, uint8 Avx2"), run.Output);
        if (Accel.Delegates.Cpu.Kernels.Emitted.Vnni512Gemm.Shared is not null)
            Assert.That(run.Line("int8 gemm"), Does.StartWith("emitted 512-bit"), run.Output);
    }

    /// <summary>
    /// x86-64-v3 with AVX-VNNI (AVX-512 switched off, as the forced v3 settings do): the int8 GEMM stays on the managed
    /// 256-bit VNNI kernels and never takes the emitted 512-bit ones, even on a CPU with AVX512_VNNI; a sample of
    /// the op cases (every 40th, no corpus) is bit-exact there.
    /// </summary>
    [Test]
    public void TheForcedV3SettingNeverTakesTheEmitted512BitGemm()
    {
        RequireMachine(X86.AvxVnni.IsSupported, "AVX-VNNI (AvxVnni.IsSupported is false), so the int8 GEMM has no VNNI path to keep");
        var run = RunCases([("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX10v1", "0")], "--no-corpus", "--every", "40");
        Assert.That(run.Line("quantized"), Is.EqualTo("int8 AvxVnni, uint8 Avx2"), run.Output);
        Assert.That(run.Line("int8 gemm"), Does.StartWith("AvxVnni (emitted 512-bit kernels not used: AVX-512F/BW with Vector512 are not enabled"), run.Output);
    }

    /// <summary>
    /// AVX-512 without AVX-VNNI (Zen 4, Ice Lake, Cascade Lake: AVX512_VNNI but no VEX form, which is all .NET 10 exposes;
    /// <c>DOTNET_EnableAVXVNNI=0</c> gives the same settings on a CPU that has both): the int8 layers run vpmaddwd except
    /// the GEMMs the emitted 512-bit kernels take, which get VNNI packing and run on them alone; the op cases (every
    /// 4th; the corpus models end to end) are bit-exact there.
    /// </summary>
    [Test]
    public void WithoutAvxVnniTheEmitted512BitGemmIsTheOnlyVnniPathAndBitExact()
    {
        RequireMachine(Accel.Delegates.Cpu.Kernels.Emitted.Vnni512Gemm.SettingsRefusal() is null,
            $"AVX512_VNNI with AVX-512 enabled ({Accel.Delegates.Cpu.Kernels.Emitted.Vnni512Gemm.SettingsRefusal()})");
        var run = RunCases([("DOTNET_PreferredVectorBitWidth", "512"), ("DOTNET_EnableAVXVNNI", "0")], "--every", "4");
        AssertPath(run, "Vector512", ("Avx512F", true), ("Vector512", true));
        Assert.That(run.Line("quantized"), Is.EqualTo("int8 Avx2, uint8 Avx2"), run.Output);
        Assert.That(run.Line("int8 gemm"), Does.StartWith("emitted 512-bit vpdpbusd (AVX512_VNNI without AVX-VNNI: the only VNNI path)"), run.Output);
    }

    [Test]
    public void OnTheAvx2PathEveryKernelIsBitExact()
    {
        RequireMachine(X86.Avx2.IsSupported, "AVX2 (Avx2.IsSupported is false), so the Vector256 path cannot run here");
        // AVX-VNNI (VEX-encoded) survives DOTNET_EnableAVX512=0; switching it off too gives an AVX2-only machine's paths,
        // so the integer kernels run vpmaddwd for int8 as well.
        var run = RunCases([("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX10v1", "0"), ("DOTNET_EnableAVXVNNI", "0")]);
        AssertPath(run, "Vector256", ("Avx512F", false), ("Vector512", false), ("Avx2", true), ("Vector256", true));
        Assert.That(run.Line("quantized"), Is.EqualTo("int8 Avx2, uint8 Avx2"), run.Output);
    }

    [Test]
    public void OnTheVector128PathEveryKernelIsBitExact()
    {
        RequireMachine(Vector128.IsHardwareAccelerated, "accelerated 128-bit vectors (Vector128.IsHardwareAccelerated is false)");
        var run = RunCases([("DOTNET_EnableAVX", "0")]);
        AssertPath(run, "Vector128", ("Avx", false), ("Fma", false), ("Vector256", false), ("Vector128", true));
    }

    [Test]
    public void OnTheScalarPathEveryKernelIsBitExact()
    {
        var run = RunCases([("DOTNET_EnableHWIntrinsic", "0")]);
        AssertPath(run, "scalar", ("Avx2", false), ("Vector128", false));
        Assert.That(run.Line("quantized"), Is.EqualTo("int8 Scalar, uint8 Scalar"), run.Output);
    }

    [Test]
    public void TheVector512InstantiationIsBitExactWhereItIsEmulated()
    {
        // With AVX-512 switched off, ACCEL_CPU_SIMD=512 makes the kernels use Vector512 anyway: .NET emulates it (on any
        // machine, this one included). Kernels-only switch; the corpus models are left to the runs above.
        var run = RunCases([("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX10v1", "0"), (SimdPath.OverrideVariable, "512")], "--no-corpus");
        Assert.That(run.Path, Does.Not.StartWith("Vector512"), run.Output);
        Assert.That(run.Path, Does.EndWith($"kernels forced to Vector512 by {SimdPath.KernelWidthSwitch}"), run.Output);
        Assert.That(run.Isa("Vector512"), Is.False, run.Output);
        Assert.That(run.Line("kernels"), Is.EqualTo("Vector512 elementwise, Vector512 widest gemm"), run.Output);
        Assert.That(run.Line("int8 gemm"), Does.Not.StartWith("emitted"), run.Output);
    }

    /// <summary>Ignores the test, with the reason, when this process (hardware, as its ISA switches leave it) lacks the ISA.</summary>
    private static void RequireMachine(bool supported, string lacking)
    {
        if (!supported)
            Assert.Ignore($"This machine has no {lacking}; this test process's vector path: {CpuDelegate.VectorPath}" +
                (InheritedSwitches() is { Length: > 0 } set ? $" (ISA switches set: {set})" : "") + ".");
    }

    private static string InheritedSwitches() =>
        string.Join(" ", Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => IsaSwitch.IsMatch(k)).Order()
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}"));

    /// <summary>The child took the expected path: SimdPath, the runtime's ISA flags and both kernel families' widths.</summary>
    private static void AssertPath(RunnerResult run, string width, params (string Isa, bool Supported)[] flags)
    {
        Assert.That(run.Path, Does.StartWith(width).And.Not.Contains("forced"), run.Output);
        foreach (var (isa, supported) in flags)
            Assert.That(run.Isa(isa), Is.EqualTo(supported), $"{isa} in the child:\n{run.Output}");
        Assert.That(run.Line("kernels"), Is.EqualTo($"{width} elementwise, {width} widest gemm"), run.Output);
    }

    private sealed record RunnerResult(int ExitCode, string Path, string Output)
    {
        public string Line(string name) =>
            Output.Split('\n').FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..].Trim() ?? "";

        /// <summary>A flag of the "isa:" line (Name=True/False); fails the test when the child did not print it.</summary>
        public bool Isa(string name)
        {
            foreach (string pair in Line("isa").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (pair.StartsWith(name + "=", StringComparison.Ordinal)) return bool.Parse(pair[(name.Length + 1)..]);
            Assert.Fail($"IsaRunner did not report {name}:\n{Output}");
            return false;
        }
    }

    /// <summary>Runs the bit-exactness cases with the given switches; the child must pass them all.</summary>
    private static RunnerResult RunCases((string Name, string Value)[] environment, params string[] arguments)
    {
        var run = Run(environment, arguments);
        string switches = string.Join(" ", environment.Select(e => $"{e.Name}={e.Value}"));
        Assert.That(run.ExitCode, Is.Zero, $"IsaRunner with {switches} failed:\n{run.Output}");
        Assert.That(run.Output, Does.Match(@"\b[1-9]\d* passed, 0 failed"), run.Output);
        return run;
    }

    private static RunnerResult Run((string Name, string Value)[] environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(IsaRunnerBuild.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_runner!);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        foreach (string inherited in start.Environment.Keys.ToList())
            if (IsaSwitch.IsMatch(inherited) || inherited.Equals(SimdPath.OverrideVariable, StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(inherited);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var (exitCode, output) = IsaRunnerBuild.Execute(start, TimeSpan.FromMinutes(10));
        string switches = environment.Length == 0 ? "no ISA switches" : string.Join(" ", environment.Select(e => $"{e.Name}={e.Value}"));
        TestContext.Out.WriteLine($"{switches} {string.Join(" ", arguments)}:\n{output}");
        var result = new RunnerResult(exitCode, "", output);
        result = result with { Path = result.Line("path") };
        Assert.That(result.Path, Is.Not.Empty, $"IsaRunner printed no path ({switches}), exit code {exitCode}:\n{output}");
        return result;
    }
}

/// <summary>
/// Builds IsaRunner (Release) into artifacts/IsaRunner/test-build under the repository root (ignored by git, beside
/// the IDE build's obj/ and bin/ there) — independent of how the test project itself was built, always current with
/// the sources, and gone with the checkout (under the temp directory each clone left ~0.5 GB behind) — and returns the
/// path of IsaRunner.dll.
/// </summary>
internal static class IsaRunnerBuild
{
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static string Locate([CallerFilePath] string thisFile = "")
    {
        string project = Path.Combine(RepositoryRoot(thisFile), "Delegates.Cpu.Tests", "IsaRunner", "IsaRunner.csproj");
        Assert.That(File.Exists(project), Is.True, $"IsaRunner project not found at {project}");
        string artifacts = Path.Combine(RepositoryRoot(thisFile), "artifacts", "IsaRunner", "test-build");
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
