using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// A DEPTHWISE_CONV_2D depth multiplier m &gt; 1 run as multiplier 1. Output channel ic·m + j reads input channel ic,
/// and in the flat NHWC tensor element o of a copy that repeats every input element m times is input element o / m
/// (pixel p's channels stay pixel p's: (p·C·m + ic·m + j) / m = p·C + ic). Over that copy, whose depth is the
/// output's, the multiplier-1 kernels and their vector paths compute each channel's sum from the same products as the
/// reference, so the same bytes. The copy is the node's own, pinned at compile and rewritten per invoke: one 16-byte
/// load and m byte shuffles (<c>pshufb</c>) per 16 input bytes.
/// </summary>
internal sealed unsafe class RepeatedChannels
{
    private const int Block = 16;

    private readonly AlignedPinned<byte> _copy;
    private readonly AlignedPinned<byte> _masks; // m shuffle masks: output block v of a period takes input bytes mask[v]
    private readonly long _inputBytes;
    private readonly int _multiplier, _elementSize;

    /// <param name="inputElements">The input tensor's element count.</param>
    /// <param name="multiplier">The depth multiplier (at least 2).</param>
    /// <param name="elementSize">Bytes per element: 1 (int8, uint8) or 2 (int16).</param>
    public RepeatedChannels(long inputElements, int multiplier, int elementSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(multiplier, 2);
        if (elementSize is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "1 or 2 bytes per element");
        long copyBytes = inputElements * multiplier * elementSize;
        if (copyBytes > Array.MaxLength - AlignedPinned<byte>.Alignment)
            throw new NotSupportedException($"a depth multiplier of {multiplier} over {inputElements} input elements needs a {copyBytes}-byte copy");
        (_inputBytes, _multiplier, _elementSize) = (inputElements * elementSize, multiplier, elementSize);
        _copy = new AlignedPinned<byte>((int)copyBytes);
        // 16 input bytes fill m output blocks; output byte k of block v is byte (v·16 + k) mod s of element
        // (v·16 + k) / s / m of the input block.
        _masks = new AlignedPinned<byte>(multiplier * Block);
        for (int at = 0; at < multiplier * Block; at++)
            _masks.Span[at] = (byte)(at / elementSize / multiplier * elementSize + at % elementSize);
    }

    /// <summary>Bytes of the copy (for tests).</summary>
    internal int Length => _copy.Length;

    /// <summary>Writes the copy of <paramref name="input"/> and returns it.</summary>
    [MethodImpl(JitHints.Hot)]
    public byte* Fill(byte* input)
    {
        byte* output = _copy.Pointer;
        long done = 0;
        if (Ssse3.IsSupported)
        {
            byte* masks = _masks.Pointer;
            for (; done + Block <= _inputBytes; done += Block)
            {
                var block = Sse2.LoadVector128(input + done);
                byte* o = output + done * _multiplier;
                for (int v = 0; v < _multiplier; v++) Sse2.Store(o + v * Block, Ssse3.Shuffle(block, Sse2.LoadVector128(masks + v * Block)));
            }
        }
        // The bytes past the last whole block (or all of them without SSSE3), element by element.
        for (long element = done / _elementSize; element < _inputBytes / _elementSize; element++)
            for (int j = 0; j < _multiplier; j++)
                for (int b = 0; b < _elementSize; b++)
                    output[(element * _multiplier + j) * _elementSize + b] = input[element * _elementSize + b];
        return output;
    }
}
