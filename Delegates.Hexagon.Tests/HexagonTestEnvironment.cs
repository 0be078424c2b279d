namespace Accel.Delegates.Hexagon.Tests;

/// <summary>Skips (Assert.Ignore, with the reason) tests that need the DSP where qemu-hexagon or the DSP program is missing.</summary>
internal static class HexagonTestEnvironment
{
    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        using var probe = new HexagonDelegate();
        return probe.UnavailableReason;
    });

    public static void RequireDsp()
    {
        if (Unavailable.Value is { } reason) Assert.Ignore($"the Hexagon DSP is unavailable here: {reason}");
    }

    /// <summary>This process's shared-memory files (none may outlive their delegate).</summary>
    public static string[] SharedMemoryFiles() =>
        Directory.Exists(Transport.SharedMemoryFile.Directory)
            ? Directory.GetFiles(Transport.SharedMemoryFile.Directory, $"{Transport.SharedMemoryFile.NamePrefix}{Environment.ProcessId}-*")
            : [];

    public static bool ProcessIsGone(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
