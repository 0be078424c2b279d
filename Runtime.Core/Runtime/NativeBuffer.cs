using System.Runtime.InteropServices;

namespace Accel;

/// <summary>
/// Aligned native memory owned by a <see cref="SafeHandle"/>: freed exactly once, by Dispose or, if its owner was
/// never disposed, by the runtime's critical finalizer — so the interpreter itself needs no finalizer (which would
/// run delegate code on the finalizer thread). Buffers of at least <see cref="LargePageMemory.PageBytes"/> are
/// <see cref="LargePageMemory"/> mappings where the system allows (zero-filled, huge pages advised); the rest, and
/// every buffer where mapping is off or refused, come from the C allocator.
/// </summary>
internal sealed unsafe class NativeBuffer : SafeHandle
{
    private readonly long _mappedBytes; // > 0: a LargePageMemory mapping of this many requested bytes

    /// <summary>Allocates <paramref name="bytes"/> (at least 1) aligned to <see cref="ArenaPlanner.Alignment"/>, zeroed when asked.</summary>
    public NativeBuffer(long bytes, bool zeroed = false) : base(IntPtr.Zero, ownsHandle: true)
    {
        nuint size = (nuint)Math.Max(bytes, 1);
        if (bytes >= LargePageMemory.PageBytes && LargePageMemory.Enabled && LargePageMemory.TryMap(bytes) is var mapped && mapped != null)
        {
            _mappedBytes = bytes;
            SetHandle((nint)mapped); // zero-filled by the kernel
            return;
        }
        SetHandle((nint)NativeMemory.AlignedAlloc(size, ArenaPlanner.Alignment));
        if (zeroed) NativeMemory.Clear((void*)handle, size);
    }

    public byte* Pointer => (byte*)handle;

    /// <summary>Whether this buffer is a huge-page mapping (for tests and diagnostics).</summary>
    internal bool IsLargePageMapping => _mappedBytes > 0;

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        if (_mappedBytes > 0) LargePageMemory.Unmap((byte*)handle, _mappedBytes);
        else NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
