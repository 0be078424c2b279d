using System.Runtime.InteropServices;

namespace Accel;

/// <summary>
/// Aligned native memory owned by a <see cref="SafeHandle"/>: freed exactly once, by Dispose or, if its owner was
/// never disposed, by the runtime's critical finalizer — so the interpreter itself needs no finalizer (which would
/// run delegate code on the finalizer thread).
/// </summary>
internal sealed unsafe class NativeBuffer : SafeHandle
{
    /// <summary>Allocates <paramref name="bytes"/> (at least 1) aligned to <see cref="ArenaPlanner.Alignment"/>, zeroed when asked.</summary>
    public NativeBuffer(long bytes, bool zeroed = false) : base(IntPtr.Zero, ownsHandle: true)
    {
        nuint size = (nuint)Math.Max(bytes, 1);
        SetHandle((nint)NativeMemory.AlignedAlloc(size, ArenaPlanner.Alignment));
        if (zeroed) NativeMemory.Clear((void*)handle, size);
    }

    public byte* Pointer => (byte*)handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
