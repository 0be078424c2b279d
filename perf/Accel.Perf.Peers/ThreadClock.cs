using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Accel.Perf.Peers;

/// <summary>
/// The calling thread's CPU time (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>), elsewhere the wall clock: on a
/// loaded machine it leaves out the time the thread waited for a core, which the wall clock counts.
/// </summary>
internal static class ThreadClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Whether <see cref="NowMs"/> reads the thread's CPU time.</summary>
    public static bool IsThreadCpuTime { get; } = OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTimeId, out _) == 0;

    /// <summary>Milliseconds of this thread's CPU time (<see cref="IsThreadCpuTime"/>), else of the wall clock.</summary>
    public static double NowMs() =>
        IsThreadCpuTime && clock_gettime(ClockThreadCpuTimeId, out var t) == 0
            ? t.Seconds * 1e3 + t.Nanoseconds / 1e6
            : Stopwatch.GetTimestamp() * 1e3 / Stopwatch.Frequency;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
