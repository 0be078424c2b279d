namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>
/// OHWI weights (<c>[Cout, taps, Cin]</c>, taps = KH·KW in (ky, kx) order; FULLY_CONNECTED's <c>[Units, K]</c> is the
/// one-tap case) packed once at compile time for <see cref="GemmTiles{TOps, TV}"/>: output channels in blocks of
/// 2·V lanes (V = vector lanes), the last block only V wide when at most V channels remain, each block laid out
/// <c>[tap][ci][block width]</c> so a micro-kernel reads one contiguous stream in exactly the reference's (tap, ci)
/// order. Lanes past Cout are zero; their results are computed and discarded, never stored.
/// The bias (if any) is packed to <c>BlockCount·2V</c> floats, zero-padded likewise.
/// </summary>
internal sealed unsafe class PackedConvWeights
{
    public PackedConvWeights(ReadOnlySpan<float> ohwi, ReadOnlySpan<float> bias, int outputChannels, int taps, int depth, int lanes)
    {
        if ((long)outputChannels * taps * depth != ohwi.Length)
            throw new ArgumentException($"weights hold {ohwi.Length} floats, expected {outputChannels}×{taps}×{depth}");
        if (!bias.IsEmpty && bias.Length != outputChannels)
            throw new ArgumentException($"bias holds {bias.Length} floats, expected {outputChannels}");
        Lanes = lanes;
        OutputChannels = outputChannels;
        Taps = taps;
        Depth = depth;
        int wide = 2 * lanes;
        BlockCount = (outputChannels + wide - 1) / wide;
        LastBlockNarrow = outputChannels - (BlockCount - 1) * wide <= lanes;
        BlockStride = checked(taps * depth * wide);
        Weights = new PinnedFloats(checked(BlockCount * BlockStride));

        var packed = Weights.Span;
        for (int block = 0; block < BlockCount; block++)
        {
            int width = BlockWidth(block);
            int firstChannel = block * wide;
            int validLanes = ValidLanes(block);
            int blockStart = block * BlockStride;
            for (int tap = 0; tap < taps; tap++)
            for (int ci = 0; ci < depth; ci++)
            {
                int row = blockStart + (tap * depth + ci) * width;
                for (int lane = 0; lane < validLanes; lane++)
                    packed[row + lane] = ohwi[((firstChannel + lane) * taps + tap) * depth + ci];
            }
        }

        if (!bias.IsEmpty)
        {
            Bias = new PinnedFloats(BlockCount * wide);
            bias.CopyTo(Bias.Span);
        }
    }

    /// <summary>V: lanes of the vector width the kernel was compiled for.</summary>
    public int Lanes { get; }
    public int OutputChannels { get; }
    public int Taps { get; }
    public int Depth { get; }
    public int BlockCount { get; }

    /// <summary>Whether the last block is V (not 2·V) lanes wide.</summary>
    public bool LastBlockNarrow { get; }

    /// <summary>Floats from one block's start to the next (every block but a narrow last one is this long).</summary>
    public int BlockStride { get; }
    public PinnedFloats Weights { get; }
    public PinnedFloats? Bias { get; }

    public int BlockWidth(int block) => block == BlockCount - 1 && LastBlockNarrow ? Lanes : 2 * Lanes;

    /// <summary>Output channels of <paramref name="block"/> that exist (the rest of its lanes are padding).</summary>
    public int ValidLanes(int block) => Math.Min(BlockWidth(block), OutputChannels - block * 2 * Lanes);

    /// <summary>The raw pointers and sizes the micro-kernels read.</summary>
    public GemmPlan Plan => new(Weights.Pointer, Bias is null ? null : Bias.Pointer, Lanes, Depth, OutputChannels,
        BlockCount, BlockStride, LastBlockNarrow);
}

/// <summary>Pointers into <see cref="PackedConvWeights"/> (alive as long as it is) plus the sizes, passed by reference.</summary>
internal readonly unsafe struct GemmPlan(float* weights, float* bias, int lanes, int depth, int outputChannels,
    int blockCount, int blockStride, bool lastBlockNarrow)
{
    public readonly float* Weights = weights;

    /// <summary>Null when the op has no bias (then no addition at all, as in the reference).</summary>
    public readonly float* Bias = bias;
    public readonly int Lanes = lanes;
    public readonly int Depth = depth;
    public readonly int OutputChannels = outputChannels;
    public readonly int BlockCount = blockCount;
    public readonly int BlockStride = blockStride;
    public readonly bool LastBlockNarrow = lastBlockNarrow;
}
