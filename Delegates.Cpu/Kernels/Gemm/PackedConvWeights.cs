using System.Runtime.CompilerServices;

namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>
/// OHWI weights (<c>[Cout, taps, Cin]</c>, taps = KH·KW in (ky, kx) order; FULLY_CONNECTED's <c>[Units, K]</c> is the
/// one-tap case) packed once at compile time for <see cref="GemmTiles{TOps, TV}"/>: output channels in blocks of
/// 2·V lanes (V = vector lanes), each laid out <c>[tap][ci][block width]</c> so a micro-kernel reads one contiguous
/// stream in exactly the reference's (tap, ci) order.
/// When 2·V does not divide Cout, the last block is V or 2·V wide and starts early enough to end exactly at Cout,
/// overlapping the block before it: the overlapping channels are computed again by identical FMA chains and stored
/// again with identical bits, so every lane is a real channel and every store a whole vector inside the tensor.
/// This needs Cout ≥ V (<see cref="GemmWidths.ForMatrixProduct"/> guarantees it). The bias (if any) is kept per channel.
/// </summary>
internal sealed unsafe class PackedConvWeights
{
    public PackedConvWeights(ReadOnlySpan<float> ohwi, ReadOnlySpan<float> bias, int outputChannels, int taps, int depth, int lanes,
        PackedWeightMemory? memory = null)
    {
        if ((long)outputChannels * taps * depth != ohwi.Length)
            throw new ArgumentException($"weights hold {ohwi.Length} floats, expected {outputChannels}×{taps}×{depth}");
        if (!bias.IsEmpty && bias.Length != outputChannels)
            throw new ArgumentException($"bias holds {bias.Length} floats, expected {outputChannels}");
        if (outputChannels < lanes) throw new ArgumentException($"{outputChannels} output channels are fewer than {lanes} lanes");
        Lanes = lanes;
        OutputChannels = outputChannels;
        Taps = taps;
        Depth = depth;

        int wide = 2 * lanes;
        var blocks = new List<(int Start, int Width)>();
        int channel = 0;
        for (; channel + wide <= outputChannels; channel += wide) blocks.Add((channel, wide));
        int rest = outputChannels - channel;
        if (rest > 0)
        {
            if (rest <= lanes) blocks.Add((outputChannels - lanes, lanes));
            else if (outputChannels >= wide) blocks.Add((outputChannels - wide, wide));
            else
            {
                // V < Cout < 2V: two overlapping narrow blocks.
                blocks.Add((0, lanes));
                blocks.Add((outputChannels - lanes, lanes));
            }
        }

        BlockCount = blocks.Count;
        Blocks = new PinnedFloats(3 * BlockCount); // per block: start channel, width, weights offset (as int bits)
        var table = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(Blocks.Span);
        long offset = 0;
        for (int b = 0; b < BlockCount; b++)
        {
            table[3 * b] = blocks[b].Start;
            table[3 * b + 1] = blocks[b].Width;
            table[3 * b + 2] = checked((int)offset);
            offset += (long)taps * depth * blocks[b].Width;
        }
        // Every float of the blocks is written below (the blocks tile [0, offset) exactly), so no zeroing pass first.
        Weights = PinnedFloats.Uninitialized(checked((int)offset), memory);
        fixed (float* source = ohwi)
            for (int b = 0; b < BlockCount; b++)
                TransposeBlock(source + (long)blocks[b].Start * taps * depth, Weights.Pointer + table[3 * b + 2], taps * depth, blocks[b].Width);

        if (!bias.IsEmpty)
        {
            Bias = new PinnedFloats(outputChannels);
            bias.CopyTo(Bias.Span);
        }
    }

    /// <summary>
    /// One block: the transpose of its channels' <c>[width][rowLength]</c> rows into <c>[rowLength][width]</c>.
    /// Pointers rather than span indexing (issue 20 measured the indexed loop at ~16 ms of pose_landmark_heavy's
    /// allocate; the ohwi length is checked by the constructor), and a hot method of its own: as a loop in the
    /// constructor it ran as tier-0 code until on-stack replacement, about 9 % of pose_landmark_heavy's CPU time from
    /// start to first output (perf/RESULTS.md, cold start: second invoke). Eight rows of the destination at a time
    /// read each source row's 32 bytes at once.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private static void TransposeBlock(float* firstRow, float* destination, int rowLength, int width)
    {
        int r = 0;
        for (; r + 8 <= rowLength; r += 8, destination += 8 * width)
        {
            float* column = firstRow + r;
            for (int lane = 0; lane < width; lane++, column += rowLength)
            {
                destination[lane] = column[0];
                destination[width + lane] = column[1];
                destination[2 * width + lane] = column[2];
                destination[3 * width + lane] = column[3];
                destination[4 * width + lane] = column[4];
                destination[5 * width + lane] = column[5];
                destination[6 * width + lane] = column[6];
                destination[7 * width + lane] = column[7];
            }
        }
        for (; r < rowLength; r++, destination += width)
        {
            float* column = firstRow + r;
            for (int lane = 0; lane < width; lane++) destination[lane] = column[(long)lane * rowLength];
        }
    }

    /// <summary>V: lanes of the vector width the kernel was compiled for.</summary>
    public int Lanes { get; }
    public int OutputChannels { get; }
    public int Taps { get; }
    public int Depth { get; }
    public int BlockCount { get; }

    /// <summary>Per block: first channel, width (V or 2·V), offset of its packed weights.</summary>
    public PinnedFloats Blocks { get; }
    public PinnedFloats Weights { get; }
    public PinnedFloats? Bias { get; }

    /// <summary>The raw pointers and sizes the micro-kernels read.</summary>
    public GemmPlan Plan => new(Weights.Pointer, Bias is null ? null : Bias.Pointer, (int*)Blocks.Pointer, BlockCount);
}

/// <summary>Pointers into <see cref="PackedConvWeights"/> (alive as long as it is) plus the block count, passed by reference.</summary>
internal readonly unsafe struct GemmPlan(float* weights, float* bias, int* blocks, int blockCount)
{
    public readonly float* Weights = weights;

    /// <summary>Null when the op has no bias (then no addition at all, as in the reference).</summary>
    public readonly float* Bias = bias;

    /// <summary>Per block: first channel, width, weights offset.</summary>
    public readonly int* Blocks = blocks;
    public readonly int BlockCount = blockCount;
}
