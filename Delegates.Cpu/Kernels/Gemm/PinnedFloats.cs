using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>
/// A float buffer on the pinned object heap, 64-byte aligned, for packed weights and biases prepared at compile time:
/// kernels keep a raw pointer to it, so nothing is pinned or allocated per invoke. Zero-initialized (the zero padding
/// of partial channel blocks relies on it).
/// </summary>
internal sealed unsafe class PinnedFloats
{
    private const int AlignmentFloats = 16;
    private readonly float[] _storage;

    public PinnedFloats(int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        Length = length;
        _storage = GC.AllocateArray<float>(length + AlignmentFloats, pinned: true);
        float* start = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        int misalignment = (int)(((nuint)start / sizeof(float)) % AlignmentFloats);
        Pointer = start + (misalignment == 0 ? 0 : AlignmentFloats - misalignment);
    }

    public int Length { get; }

    /// <summary>The aligned start; valid for the lifetime of this object.</summary>
    public float* Pointer { get; }

    public Span<float> Span => new(Pointer, Length);
}
