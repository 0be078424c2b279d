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
    public PackedConvWeights(ReadOnlySpan<float> ohwi, ReadOnlySpan<float> bias, int outputChannels, int taps, int depth, int lanes)
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
        Weights = new PinnedFloats(checked((int)offset));

        // Each block is the transpose of its channels' [width][taps·depth] rows into [taps·depth][width]. Pointers
        // rather than span indexing: this runs over every weight at AllocateTensors (issue 20 measured the indexed
        // loop at ~16 ms of pose_landmark_heavy's allocate); the ohwi length was checked above.
        int rowLength = taps * depth;
        fixed (float* source = ohwi)
        {
            for (int b = 0; b < BlockCount; b++)
            {
                var (start, width) = blocks[b];
                float* destination = Weights.Pointer + table[3 * b + 2];
                float* firstRow = source + (long)start * rowLength;
                for (int r = 0; r < rowLength; r++, destination += width)
                {
                    float* column = firstRow + r;
                    for (int lane = 0; lane < width; lane++) destination[lane] = column[(long)lane * rowLength];
                }
            }
        }

        if (!bias.IsEmpty)
        {
            Bias = new PinnedFloats(outputChannels);
            bias.CopyTo(Bias.Span);
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
