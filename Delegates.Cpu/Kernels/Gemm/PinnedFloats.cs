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
    private readonly float[]? _storage; // null when the floats live in a PackedWeightMemory

    public PinnedFloats(int length) : this(length, zeroed: true)
    {
    }

    private PinnedFloats(int length, bool zeroed)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        Length = length;
        _storage = zeroed
            ? GC.AllocateArray<float>(length + AlignmentFloats, pinned: true)
            : GC.AllocateUninitializedArray<float>(length + AlignmentFloats, pinned: true);
        float* start = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        int misalignment = (int)(((nuint)start / sizeof(float)) % AlignmentFloats);
        Pointer = start + (misalignment == 0 ? 0 : AlignmentFloats - misalignment);
        if (!zeroed)
        {
            // Only the alignment slack around the buffer is zeroed: nothing outside it is ever undefined.
            _storage.AsSpan(0, (int)(Pointer - start)).Clear();
            _storage.AsSpan((int)(Pointer - start) + length).Clear();
        }
    }

    /// <summary>
    /// A buffer whose contents are undefined until written, for a caller that writes every one of its
    /// <paramref name="length"/> floats before any is read (the runtime's zeroing pass over a large fresh buffer is then
    /// wasted work at compile time).
    /// </summary>
    public static PinnedFloats Uninitialized(int length) => new(length, zeroed: false);

    /// <summary>
    /// <paramref name="length"/> floats from <paramref name="memory"/> (zero-filled, freed with it) where there is one,
    /// else a pinned array as <see cref="Uninitialized(int)"/>.
    /// </summary>
    public static PinnedFloats Uninitialized(int length, PackedWeightMemory? memory) =>
        memory is null ? Uninitialized(length) : new PinnedFloats(memory.Allocate(length), length);

    private PinnedFloats(float* pointer, int length)
    {
        Pointer = pointer;
        Length = length;
    }

    public int Length { get; }

    /// <summary>The aligned start; valid for the lifetime of this object.</summary>
    public float* Pointer { get; }

    public Span<float> Span => new(Pointer, Length);
}
