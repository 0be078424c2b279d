using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;

namespace Accel.Perf.Reporting;

/// <summary>Facts about the machine and the checkout that every result carries: fingerprint, commit, load, peak RSS.</summary>
public static class BenchEnvironment
{
    /// <summary>
    /// The machine: CPU model, logical cores, memory (GiB), OS, architecture and vector ISA. The fingerprint is the
    /// first 12 hex digits of the SHA-256 of those (not of the host name, which changes with every container), so
    /// the same hardware keeps one history file.
    /// </summary>
    public static MachineInfo DescribeMachine()
    {
        string cpu = CpuModel();
        int cores = Environment.ProcessorCount;
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        string os = RuntimeInformation.OSDescription;
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string isa = VectorIsa();
        long memoryGiB = (memory + (1L << 29)) >> 30;
        string identity = $"{cpu}|{cores}|{memoryGiB}GiB|{RuntimeInformation.OSArchitecture}|{OperatingSystemFamily()}|{isa}";
        string fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..12];
        return new MachineInfo(fingerprint, cpu, cores, memory, os, arch, RuntimeInformation.FrameworkDescription, isa, LoadAverage());
    }

    /// <summary>The 1-minute load average (Linux /proc/loadavg), or null elsewhere.</summary>
    public static double? LoadAverage()
    {
        try
        {
            if (!File.Exists("/proc/loadavg")) return null;
            string first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double load) ? load : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Peak resident set size of this process: VmHWM on Linux, the peak working set elsewhere.</summary>
    public static long PeakRssBytes()
    {
        try
        {
            if (File.Exists("/proc/self/status"))
                foreach (string line in File.ReadLines("/proc/self/status"))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            // fall through
        }
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>
    /// The commit being measured and whether the tree is dirty: <c>ACCEL_COMMIT</c> or <c>GITHUB_SHA</c> when set (CI),
    /// else <c>git rev-parse HEAD</c> in <paramref name="directory"/> (default: the current directory). Null when
    /// neither works.
    /// </summary>
    public static (string? Commit, bool? Dirty) GitCommit(string? directory = null)
    {
        foreach (string variable in new[] { "ACCEL_COMMIT", "GITHUB_SHA" })
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
                return (fromEnvironment, null);
        string? head = RunGit(directory, "rev-parse HEAD")?.Trim();
        if (string.IsNullOrEmpty(head)) return (null, null);
        string? status = RunGit(directory, "status --porcelain --untracked-files=no");
        return (head, status is null ? null : status.Trim().Length > 0);
    }

    private static string? RunGit(string? directory, string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory ?? Environment.CurrentDirectory,
            };
            using var process = Process.Start(start);
            if (process is null) return null;
            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                return null;
            }
            return process.ExitCode == 0 ? output : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null; // git not installed or not a checkout
        }
    }

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException)
        {
            // fall through
        }
        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string OperatingSystemFamily() =>
        OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : "other";

    private static string VectorIsa()
    {
        if (Avx512F.IsSupported) return "avx512";
        if (Avx2.IsSupported && Fma.IsSupported) return "avx2+fma";
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) return "neon";
        if (Sse2.IsSupported) return "sse2";
        return "scalar";
    }
}
