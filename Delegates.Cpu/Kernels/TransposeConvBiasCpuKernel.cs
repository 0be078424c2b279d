using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// MediaPipe's custom Convolution2DTransposeBias on the CPU delegate (float32, constant OHWI weights and bias; the
/// definition parsed the 12-byte options into strides and leading padding). Bit-exact with
/// <see cref="TransposeConvBiasKernel"/>'s gather: each output is one FMA chain over the taps (ky, kx) whose input
/// position (oy + pad_top − ky) / stride_h, (ox + pad_left − kx) / stride_w is exact and in range, ci innermost, then + bias.
/// </summary>
[OpCodes(CustomOps.Convolution2DTransposeBias)]
internal sealed class TransposeConvBiasCpuKernel : CpuKernel<TransposeConvBiasParams>
{
    public override IReadOnlyList<OpId> Ops => [OpId.OfCustom(CustomOps.Convolution2DTransposeBias)];

    protected override NodeSupport Supports(DelegateNode node, TransposeConvBiasParams p)
    {
        var weights = node.Inputs[1]!;
        return ConvLoops.Refusal(node, weights, "weights", node.Inputs[2], (long)weights.Dim(1) * weights.Dim(2)) is { } reason
            ? NodeSupport.Refuse(reason)
            : NodeSupport.Supported;
    }

    protected override ICpuCompiledNode Compile(DelegateNode node, TransposeConvBiasParams p)
    {
        var input = node.Inputs[0]!;
        var weights = node.Inputs[1]!;
        var bias = node.Inputs[2]!;
        var output = node.Outputs[0];
        var g = ConvLayout.Of(input, weights, output, p.StrideH, p.StrideW, 1, 1, p.PadTop, p.PadLeft);
        var width = GemmWidths.ForMatrixProduct(g.OutputDepth);
        var packed = new PackedConvWeights(weights.Read<float>(), bias.Read<float>(), g.OutputDepth, g.FilterHeight * g.FilterWidth,
            g.InputDepth, (int)width);
        // No fused activation: the clamp is skipped (its bounds are unused).
        var raw = weights.Read<float>();
        // ForMatrixProduct picks no vector wider than Cout (the packed weights'); one output channel runs across pixels.
        return TransposeConvBiasCpuNode.NodeWidth(g, width) switch
        {
            GemmWidth.W512 => new TransposeConvBiasCpuNode<Gemm512, Vector512<float>>(input, output, g, packed, default, raw),
            GemmWidth.W256 => new TransposeConvBiasCpuNode<Gemm256, Vector256<float>>(input, output, g, packed, default, raw),
            GemmWidth.W128 => new TransposeConvBiasCpuNode<Gemm128, Vector128<float>>(input, output, g, packed, default, raw),
            _ => new TransposeConvBiasCpuNode<GemmScalar, float>(input, output, g, packed, default, raw),
        };
    }
}

/// <summary>The vector width a compiled transpose convolution runs on.</summary>
internal static class TransposeConvBiasCpuNode
{
    /// <summary>
    /// <paramref name="packed"/> (the packed weights' width, at most Cout), except for one output channel, which runs
    /// across pixels on the widest vector when that has at least 8 lanes.
    /// </summary>
    public static GemmWidth NodeWidth(ConvLayout g, GemmWidth packed) =>
        g.OutputDepth == 1 && GemmWidths.Widest >= GemmWidth.W256 ? GemmWidths.Widest : packed;
}

/// <summary>
/// A compiled Convolution2DTransposeBias. In an output row the valid ky are fixed; along the row, outputs of the same
/// phase (ox mod stride_w) use kx of one residue class and read consecutive input columns, so runs of same-phase
/// outputs with the same valid kx range share a tap list and go through the shared register-blocked micro-kernels
/// (input pixel stride Cin, output pixel stride stride_w·Cout), vectorized across output channels.
/// With one output channel (segmentation heads: selfie_segmentation's 128×128×16 → 256×256×1) vectors across channels
/// would hold one useful lane; there (on 8- and 16-lane vectors) the input is transposed once per invoke into planes
/// of one channel each, and a run's outputs are the lanes: per tap and channel one vector of consecutive input columns
/// from the channel's plane times the weight, one FMA per output — each output's chain as the reference's, from +0 over
/// (tap, ci) in order, then + bias, then the clamp.
/// </summary>
internal sealed unsafe class TransposeConvBiasCpuNode<TOps, TV> : ICpuCompiledNode
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<TransposeConvBiasCpuNode<TOps, TV>> RunChunk =
        [MethodImpl(JitHints.Hot)] static (in TransposeConvBiasCpuNode<TOps, TV> kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly PackedConvWeights _weights; // owns the pinned buffers _plan points into
    private readonly GemmPlan _plan;
    private readonly GemmEpilogue<TV> _epilogue;

    private readonly PinnedFloats? _planes;      // one output channel: [batch][Cin][plane stride ≥ H·W] + one vector of slack
    private readonly nint _planeStride;
    private readonly PinnedFloats? _singleWeights; // one output channel: the OHWI weights, [KH·KW·Cin]

    private float* _x, _y;
    private int _channelGroups;

    public TransposeConvBiasCpuNode(Tensor input, Tensor output, ConvLayout geometry, PackedConvWeights weights, GemmEpilogue<TV> epilogue,
        ReadOnlySpan<float> ohwiWeights)
    {
        _input = input;
        _output = output;
        _g = geometry;
        _weights = weights;
        _plan = weights.Plan;
        _epilogue = epilogue;
        if (geometry.OutputDepth == 1 && TOps.Count >= 8)
        {
            _planeStride = PlaneStride(geometry);
            _planes = new PinnedFloats(checked((int)(geometry.Batches * geometry.InputDepth * _planeStride) + TOps.Count));
            _singleWeights = new PinnedFloats(ohwiWeights.Length);
            ohwiWeights.CopyTo(_singleWeights.Span);
        }
    }

    private static readonly CpuThreadPool.ChunkAction<TransposeConvBiasCpuNode<TOps, TV>> TransposeChunk =
        [MethodImpl(JitHints.Hot)] static (in TransposeConvBiasCpuNode<TOps, TV> kernel, int start, int end) => kernel.TransposeRows(start, end);

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = ConvLoops.Pointer(_input.Read<float>());
        _y = ConvLoops.Pointer(_output.Write<float>());
        int rows = _g.Batches * _g.OutputHeight;
        if (_planes is not null) pool.For(_g.Batches * _g.InputHeight, this, TransposeChunk);
        _channelGroups = ConvLoops.ChannelGroups(rows, _plan.BlockCount, pool.ThreadCount);
        pool.For(rows * _channelGroups, this, RunChunk);
    }

    /// <summary>
    /// H·W floats and one cache line more, rounded to whole lines: planes a multiple of 4 KiB apart (selfie's 128×128
    /// is 64 KiB) would put every channel's row in the same L1 sets, and the 16 streams of a run evict each other.
    /// </summary>
    private static nint PlaneStride(ConvLayout g) => ((nint)g.InputHeight * g.InputWidth + 15) / 16 * 16 + 16;

    /// <summary>Input rows [start, end) (batch · H + iy) into the channel planes.</summary>
    [MethodImpl(JitHints.Hot)]
    private void TransposeRows(int start, int end)
    {
        var g = _g;
        int cin = g.InputDepth, width = g.InputWidth;
        for (int row = start; row < end; row++)
        {
            int b = row / g.InputHeight, iy = row % g.InputHeight;
            PlanarTranspose.Row(_x + (nint)row * width * cin, width, cin,
                _planes!.Pointer + b * cin * _planeStride + (nint)iy * width, _planeStride);
        }
    }

    /// <summary>
    /// One output channel: <paramref name="run"/> outputs <paramref name="yStride"/> apart, output i reading every tap's
    /// input column i to the right, as lanes of this width's vectors.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void SingleChannelRun(int batch, int* tapX, int* tapW, int taps, float* y, nint yStride, int run)
    {
        var g = _g;
        int n = TOps.Count, cin = g.InputDepth;
        nint plane = _planeStride;
        float* planes = _planes!.Pointer + batch * cin * plane;
        float* weights = _singleWeights!.Pointer;
        float* lanes = stackalloc float[n];
        for (int t = 0; t < taps; t++) tapX[t] /= cin; // element offsets → pixel offsets within a plane
        int i = 0;
        // Four vectors of outputs at a time: four independent FMA chains.
        for (; i + 4 * n <= run; i += 4 * n)
        {
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
            for (int t = 0; t < taps; t++)
            {
                float* x = planes + tapX[t] + i;
                float* w = weights + tapW[t];
                for (int ci = 0; ci < cin; ci++, x += plane)
                {
                    TV wv = TOps.Splat(w[ci]);
                    a0 = TOps.FusedMultiplyAdd(TOps.Load(x), wv, a0);
                    a1 = TOps.FusedMultiplyAdd(TOps.Load(x + n), wv, a1);
                    a2 = TOps.FusedMultiplyAdd(TOps.Load(x + 2 * n), wv, a2);
                    a3 = TOps.FusedMultiplyAdd(TOps.Load(x + 3 * n), wv, a3);
                }
            }
            StoreLanes(a0, y + i * yStride, yStride, n, lanes);
            StoreLanes(a1, y + (i + n) * yStride, yStride, n, lanes);
            StoreLanes(a2, y + (i + 2 * n) * yStride, yStride, n, lanes);
            StoreLanes(a3, y + (i + 3 * n) * yStride, yStride, n, lanes);
        }
        for (; i < run; i += n)
        {
            TV acc = TOps.Zero;
            for (int t = 0; t < taps; t++)
            {
                float* x = planes + tapX[t] + i;
                float* w = weights + tapW[t];
                for (int ci = 0; ci < cin; ci++) acc = TOps.FusedMultiplyAdd(TOps.Load(x + ci * plane), TOps.Splat(w[ci]), acc);
            }
            StoreLanes(acc, y + i * yStride, yStride, Math.Min(n, run - i), lanes);
        }
    }

    /// <summary>The first <paramref name="count"/> lanes of acc (+ bias) (clamped) at y, y + yStride, …</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreLanes(TV acc, float* y, nint yStride, int count, float* lanes)
    {
        if (_plan.Bias != null) acc = TOps.Add(acc, TOps.Splat(_plan.Bias[0]));
        if (_epilogue.Clamp) acc = TOps.Clamp(acc, _epilogue.Min, _epilogue.Max);
        if (yStride == 1 && count == TOps.Count) TOps.Store(y, acc);
        else
        {
            TOps.Store(lanes, acc);
            for (int j = 0; j < count; j++) y[j * yStride] = lanes[j];
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void RunItems(int start, int end)
    {
        int maxTaps = _g.FilterHeight * _g.FilterWidth;
        int* tapX = stackalloc int[maxTaps];
        int* tapW = stackalloc int[maxTaps];
        int* rowKy = stackalloc int[_g.FilterHeight];
        int* rowIy = stackalloc int[_g.FilterHeight];
        for (int item = start; item < end; item++)
        {
            int row = item / _channelGroups, group = item % _channelGroups;
            int blockBegin = (int)((long)_plan.BlockCount * group / _channelGroups);
            int blockEnd = (int)((long)_plan.BlockCount * (group + 1) / _channelGroups);
            Row(row, blockBegin, blockEnd, tapX, tapW, rowKy, rowIy);
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void Row(int row, int blockBegin, int blockEnd, int* tapX, int* tapW, int* rowKy, int* rowIy)
    {
        var g = _g;
        int b = row / g.OutputHeight, oy = row % g.OutputHeight;
        // The input rows whose scatter through tap ky lands on oy (iy·stride_h − pad_top + ky = oy), in ky order.
        int rowTaps = 0;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            int numerator = oy + g.PadTop - ky;
            if (numerator < 0 || numerator % g.StrideH != 0) continue;
            int iy = numerator / g.StrideH;
            if (iy >= g.InputHeight) continue;
            rowKy[rowTaps] = ky;
            rowIy[rowTaps] = iy;
            rowTaps++;
        }
        float* xBatch = _x + (nint)b * g.InputHeight * g.InputWidth * g.InputDepth;
        float* yRow = _y + (nint)row * g.OutputWidth * g.OutputDepth;
        nint yStride = (nint)g.StrideW * g.OutputDepth;

        for (int phase = 0; phase < g.StrideW && phase < g.OutputWidth; phase++)
        {
            // kx ≡ ox + pad_left (mod stride_w) for every ox of this phase; the class's largest member is kxTop.
            int residue = (phase + g.PadLeft) % g.StrideW;
            bool anyKx = residue < g.FilterWidth;
            int kxTop = anyKx ? residue + (g.FilterWidth - 1 - residue) / g.StrideW * g.StrideW : residue - g.StrideW;
            // Interior outputs use the whole class: column (ox + pad_left − kx) / stride_w ≥ 0 for kx = kxTop and
            // ≤ W − 1 for kx = residue. (Without any kx every output of the phase is interior: bias only.)
            int interiorFirst = anyKx ? kxTop - g.PadLeft : int.MinValue;
            int interiorLast = anyKx ? residue + (g.InputWidth - 1) * g.StrideW - g.PadLeft : int.MaxValue;
            int ox = phase;
            while (ox < g.OutputWidth)
            {
                int kxLow, kxHigh, run;
                if (ox >= interiorFirst && ox <= interiorLast)
                {
                    (kxLow, kxHigh) = (residue, kxTop);
                    run = (Math.Min(interiorLast, g.OutputWidth - 1) - ox) / g.StrideW + 1;
                }
                else
                {
                    (kxLow, kxHigh) = ValidKx(ox, residue);
                    run = 1;
                }
                int taps = 0;
                for (int r = 0; r < rowTaps; r++)
                {
                    int ky = rowKy[r], iy = rowIy[r];
                    for (int kx = kxLow; kx <= kxHigh; kx += g.StrideW)
                    {
                        int ix = (ox + g.PadLeft - kx) / g.StrideW;
                        tapX[taps] = (iy * g.InputWidth + ix) * g.InputDepth;
                        tapW[taps] = (ky * g.FilterWidth + kx) * g.InputDepth;
                        taps++;
                    }
                }
                // The run's next output is stride_w columns right and reads one input column right for every tap.
                if (_planes is not null) SingleChannelRun(b, tapX, tapW, taps, yRow + ox, yStride, run);
                else
                    GemmTiles<TOps, TV>.Run(_plan, _epilogue, xBatch, g.InputDepth, tapX, tapW, taps, g.InputDepth,
                        yRow + (nint)ox * g.OutputDepth, yStride, run, blockBegin, blockEnd);
                ox += run * g.StrideW;
            }
        }
    }

    /// <summary>
    /// The smallest and largest kx (of the phase's residue class) whose input column (ox + pad_left − kx) / stride_w
    /// exists; low &gt; high when there is none.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private (int Low, int High) ValidKx(int ox, int residue)
    {
        var g = _g;
        int reach = ox + g.PadLeft; // kx ≤ reach keeps the column ≥ 0
        int high = Math.Min(g.FilterWidth - 1, reach);
        high -= ((high - residue) % g.StrideW + g.StrideW) % g.StrideW; // largest kx ≤ high in the class
        int low = Math.Max(residue, reach - (g.InputWidth - 1) * g.StrideW); // column ≤ W − 1
        low += ((residue - low) % g.StrideW + g.StrideW) % g.StrideW; // smallest kx ≥ low in the class
        return low <= high ? (low, high) : (residue, residue - g.StrideW);
    }
}
