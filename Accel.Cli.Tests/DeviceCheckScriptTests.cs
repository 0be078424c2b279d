using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Accel.Cli.Tests;

/// <summary>scripts/device-check.sh on a machine without an NVIDIA GPU says so and exits cleanly (issue 20).</summary>
public sealed class DeviceCheckScriptTests
{
    [TestCase(false, TestName = "WithoutNvidiaSmiTheCheckSaysThereIsNoGpuAndExitsZero")]
    [TestCase(true, TestName = "WithAnNvidiaSmiThatListsNoDeviceTheCheckSaysThereIsNoGpuAndExitsZero")]
    public void NoGpuIsReportedAndNotAFailure(bool fakeNvidiaSmi)
    {
        string scratch = Directory.CreateTempSubdirectory("accel-device-check-").FullName;
        try
        {
            string bin = Path.Combine(scratch, "bin");
            Directory.CreateDirectory(bin);
            if (fakeNvidiaSmi)
            {
                string fake = Path.Combine(bin, "nvidia-smi");
                File.WriteAllText(fake, "#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' >&2\nexit 9\n");
                File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            string output = Path.Combine(scratch, "out");
            var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "scripts", "device-check.sh")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // Only the fake folder and the system's own: no real nvidia-smi can be found.
            start.Environment["PATH"] = $"{bin}:/usr/bin:/bin";
            start.Environment["OUT"] = output;
            using var process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            Assert.That(process.WaitForExit(60_000), "the script finishes");
            Assert.That(process.ExitCode, Is.Zero, stdout);
            Assert.That(stdout, Does.Contain("no NVIDIA GPU"));
            Assert.That(File.ReadAllText(Path.Combine(output, "summary.txt")), Does.Contain("no NVIDIA GPU"));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string RepositoryRoot([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, ".."));
}
