using System.Runtime.InteropServices;

namespace Accel;

/// <summary>
/// Anonymous memory mapped at a 2 MiB boundary with <c>madvise(MADV_HUGEPAGE)</c> on Linux, so the kernel backs it with
/// transparent huge pages where it can: one page fault per 2 MiB instead of 512. First touches of fresh memory are a large
/// part of a model's start-up (folded weights, packed weights, the arena — over 100 MB for pose_landmark_heavy), and in
/// a virtual machine each fault is dearer still. The mapping is zero-filled by the kernel. Elsewhere (other systems, a
/// refused mapping, or the AppContext switch <see cref="Switch"/> set to false) callers use ordinary allocations.
/// </summary>
/// <remarks>
/// Transparent huge pages need <c>/sys/kernel/mm/transparent_hugepage/enabled</c> at <c>madvise</c> or <c>always</c>;
/// at <c>never</c> the mapping still works with 4 KiB pages. A mapping reserves its length rounded up to 2 MiB (plus
/// 2 MiB of address space for the alignment, unmapped again at once); only touched pages are committed.
/// </remarks>
internal static unsafe class LargePageMemory
{
    /// <summary>AppContext switch: false keeps every native buffer on the C allocator (aligned_alloc).</summary>
    public const string Switch = "Accel.LargePageMappings";

    /// <summary>The huge page size; mappings are aligned to it and their lengths rounded up to it.</summary>
    public const long PageBytes = 2L << 20;

    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20, MadvHugepage = 14;

    /// <summary>Whether this process maps large buffers with huge pages: Linux, and the switch not false.</summary>
    public static bool Enabled => OperatingSystem.IsLinux() && !(AppContext.TryGetSwitch(Switch, out bool on) && !on);

    /// <summary>The length a mapping of <paramref name="bytes"/> reserves: rounded up to <see cref="PageBytes"/>.</summary>
    public static nuint MappedLength(long bytes) => (nuint)((Math.Max(bytes, 1) + PageBytes - 1) / PageBytes * PageBytes);

    /// <summary>
    /// Maps <see cref="MappedLength"/>(<paramref name="bytes"/>) zeroed bytes at a 2 MiB boundary and advises huge pages;
    /// null when the system refuses (the caller then allocates ordinarily).
    /// </summary>
    public static byte* TryMap(long bytes)
    {
        nuint length = MappedLength(bytes);
        nuint reserve = length + (nuint)PageBytes;
        nint raw = Mmap(0, reserve, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (raw == -1 || raw == 0) return null;
        // Trim the reservation to the aligned window: the head before the boundary and the tail after it.
        nint aligned = (nint)(((long)raw + PageBytes - 1) / PageBytes * PageBytes);
        nuint head = (nuint)(aligned - raw), tail = reserve - head - length;
        if (head > 0) _ = Munmap(raw, head);
        if (tail > 0) _ = Munmap(aligned + (nint)length, tail);
        _ = Madvise(aligned, length, MadvHugepage); // advice only: refused, the mapping stays with small pages
        return (byte*)aligned;
    }

    /// <summary>Unmaps a mapping made by <see cref="TryMap"/> of <paramref name="bytes"/>.</summary>
    public static void Unmap(byte* pointer, long bytes) => _ = Munmap((nint)pointer, MappedLength(bytes));

    // No SetLastError (nothing reads errno here): with it each call needs a marshalling stub, JIT-compiled at start-up
    // even in a ReadyToRun build; blittable and without it, crossgen2 compiles the calls.
    [DllImport("libc", EntryPoint = "mmap")]
    private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int Munmap(nint address, nuint length);

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
