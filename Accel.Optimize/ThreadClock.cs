using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Accel.Optimize;

/// <summary>The calling thread's CPU time (Linux) for the report's latency, and the machine's load average.</summary>
internal static class ThreadClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);

    /// <summary>Whether <see cref="NowMs"/> reads the thread's CPU time (Linux); false: the wall clock.</summary>
    public static bool IsThreadCpuTime { get; } = OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out _) == 0;

    /// <summary>Milliseconds of this thread's CPU time (<see cref="IsThreadCpuTime"/>), else of the wall clock.</summary>
    public static double NowMs() =>
        IsThreadCpuTime && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0
            ? t.Seconds * 1e3 + t.Nanoseconds / 1e6
            : Stopwatch.GetTimestamp() * 1e3 / Stopwatch.Frequency;

    /// <summary>The one-minute load average (Linux /proc/loadavg); null where it cannot be read.</summary>
    public static double? LoadAverage()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            int space = text.IndexOf(' ');
            return space > 0 && double.TryParse(text.AsSpan(0, space), NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
