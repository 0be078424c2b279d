using System.Diagnostics;
using Accel.Testing;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// Executed-instruction counts of a corpus int8 model on the DSP (README.md §Executed-instruction counts): qemu's
/// execution log (-d in_asm,exec,nochain) of one invoke, summed per DSP function by tools/insn_count.py. A manual
/// measurement (the log is gigabytes, the run minutes), so explicit; it checks the kernels the model needs ran.
/// </summary>
[NonParallelizable]
public sealed class HexagonInstructionCountTests
{
    [Explicit("writes a qemu execution log of several GB and runs for minutes")]
    [Test]
    public void FaceDetectionShortRangeInt8InstructionsAreCountedPerKernel()
    {
        HexagonTestEnvironment.RequireDsp();
        const string name = "face_detection_short_range";
        using var model = Model.FromBytes(HexagonCorpusInt8Tests.Int8Version(name, 127.5f, 127.5f));
        var inputs = CorpusModels.Inputs(name, model);
        string log = Path.Combine(Path.GetTempPath(), $"accel-hexagon-insn-{Environment.ProcessId}.log");
        try
        {
            var dsp = new HexagonDelegate(timeout: TimeSpan.FromMinutes(30)) { EmulatorArguments = ["-d", "in_asm,exec,nochain", "-D", log] };
            var actual = DelegateHarness.Run(model, inputs, dsp, out var plan);
            DelegateHarness.AssertSameBits(DelegateHarness.Run(model, inputs, null, out _), actual, $"{name} int8", "hexagon");
            Assert.That(plan!.Refused, Is.Empty);

            var counter = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            counter.ArgumentList.Add(Path.Combine(RepositoryRoot(), "Delegates.Hexagon", "tools", "insn_count.py"));
            counter.ArgumentList.Add(log);
            using var python = Process.Start(counter)!;
            string table = python.StandardOutput.ReadToEnd();
            string errors = python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.That(python.ExitCode, Is.Zero, errors);
            TestContext.Out.WriteLine(table);
            var counts = table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .ToDictionary(f => f[0], f => long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
            foreach (string kernel in new[] { "quantize_floats", "conv2d_hvx", "depthwise_hvx", "binary", "dequantize" })
                Assert.That(counts.GetValueOrDefault(kernel), Is.GreaterThan(0), $"{kernel}: no instructions counted");
        }
        finally
        {
            File.Delete(log);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Delegates.Hexagon", "tools", "insn_count.py"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository (Delegates.Hexagon/tools/insn_count.py) was not found above the test binaries");
    }
}
