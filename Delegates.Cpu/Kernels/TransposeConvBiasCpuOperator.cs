using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// MediaPipe's custom Convolution2DTransposeBias on the CPU delegate (float32, constant OHWI weights and bias,
/// 12-byte TfLiteTransposeConvParams options). Bit-exact with <see cref="TransposeConvBiasKernel"/>'s gather: each
/// output is one FMA chain over the taps (ky, kx) whose input position (oy + pad_top − ky) / stride_h,
/// (ox + pad_left − kx) / stride_w is exact and in range, ci innermost, then + bias.
/// </summary>
internal sealed class TransposeConvBiasCpuOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (node.Inputs.Count != 3 || node.Outputs.Count != 1)
            return NodeSupport.Refuse($"Convolution2DTransposeBias needs 3 inputs and 1 output, has {node.Inputs.Count} and {node.Outputs.Count}");
        if (ParseOptions(node.CustomOptions.Span) is not { } parsed)
            return NodeSupport.Refuse($"custom options ({node.CustomOptions.Length} bytes) are not a valid 12-byte TfLiteTransposeConvParams");
        var input = node.Inputs[0];
        var weights = node.Inputs[1];
        var bias = node.Inputs[2];
        var output = node.Outputs[0];
        string? reason = ConvNodeChecks.Float32(input, "input", 4) ?? ConvNodeChecks.Float32(weights, "weights", 4)
            ?? ConvNodeChecks.Float32(output, "output", 4);
        if (reason is not null) return NodeSupport.Refuse(reason);
        if (ConvNodeChecks.Constant(weights!, "weights") is { } notConstant) return NodeSupport.Refuse(notConstant);
        if (bias is null) return NodeSupport.Refuse("bias is missing");
        if (ConvNodeChecks.Bias(bias, weights!.Dim(0)) is { } badBias) return NodeSupport.Refuse(badBias);
        if (weights.Dim(3) != input!.Dim(3))
            return NodeSupport.Refuse($"weights depth {weights.Dim(3)} differs from the input depth {input.Dim(3)}");
        if (weights.Dim(1) * weights.Dim(2) > ConvNodeChecks.MaxTaps)
            return NodeSupport.Refuse($"weights have {weights.Dim(1) * weights.Dim(2)} taps, more than {ConvNodeChecks.MaxTaps}");
        var g = Geometry(input, weights, parsed);
        int[] expected = [g.Batches, g.OutputHeight, g.OutputWidth, g.OutputDepth];
        if (!output!.Shape.SequenceEqual(expected))
            return NodeSupport.Refuse($"output shape [{ConvNodeChecks.Format(output.Shape)}] is not the expected [{ConvNodeChecks.Format(expected)}]");
        return NodeSupport.Supported;
    }

    public ICpuKernel Compile(DelegateNode node)
    {
        var input = node.Inputs[0]!;
        var weights = node.Inputs[1]!;
        var bias = node.Inputs[2]!;
        var g = Geometry(input, weights, ParseOptions(node.CustomOptions.Span)!.Value);
        var width = GemmWidths.For(g.OutputDepth);
        var packed = new PackedConvWeights(weights.Read<float>(), bias.Read<float>(), g.OutputDepth, g.FilterHeight * g.FilterWidth,
            g.InputDepth, (int)width);
        var output = node.Outputs[0];
        // No fused activation: the clamp is skipped (its bounds are unused).
        return width switch
        {
            GemmWidth.W512 => new TransposeConvBiasCpuKernel<Gemm512, Vector512<float>>(input, output, g, packed, default),
            GemmWidth.W256 => new TransposeConvBiasCpuKernel<Gemm256, Vector256<float>>(input, output, g, packed, default),
            GemmWidth.W128 => new TransposeConvBiasCpuKernel<Gemm128, Vector128<float>>(input, output, g, packed, default),
            _ => new TransposeConvBiasCpuKernel<GemmScalar, float>(input, output, g, packed, default),
        };
    }

    /// <summary>{padding, stride_w, stride_h} from the raw little-endian struct, or null when invalid (as the reference rejects it).</summary>
    private static (int Padding, int StrideW, int StrideH)? ParseOptions(ReadOnlySpan<byte> options)
    {
        if (options.Length != 12) return null;
        int padding = BinaryPrimitives.ReadInt32LittleEndian(options);
        int strideW = BinaryPrimitives.ReadInt32LittleEndian(options[4..]);
        int strideH = BinaryPrimitives.ReadInt32LittleEndian(options[8..]);
        if (padding is < 0 or > 2 || strideW <= 0 || strideH <= 0) return null;
        return (padding, strideW, strideH);
    }

    /// <summary>MediaPipe's output size and leading padding (see the reference kernel's Prepare); dilation is 1.</summary>
    private static ConvGeometry Geometry(Tensor input, Tensor weights, (int Padding, int StrideW, int StrideH) options)
    {
        const int PaddingSame = 1;
        int inputHeight = input.Dim(1), inputWidth = input.Dim(2);
        int filterHeight = weights.Dim(1), filterWidth = weights.Dim(2);
        bool same = options.Padding == PaddingSame;
        int totalPadH = same ? Math.Max(0, filterHeight - (inputHeight - 1) % options.StrideH - 1) : 0;
        int totalPadW = same ? Math.Max(0, filterWidth - (inputWidth - 1) % options.StrideW - 1) : 0;
        return new ConvGeometry(input.Dim(0), inputHeight, inputWidth, input.Dim(3), filterHeight, filterWidth,
            options.StrideH * (inputHeight - 1) + filterHeight - totalPadH, options.StrideW * (inputWidth - 1) + filterWidth - totalPadW,
            weights.Dim(0), options.StrideH, options.StrideW, 1, 1, totalPadH / 2, totalPadW / 2);
    }
}

/// <summary>
/// A compiled Convolution2DTransposeBias. In an output row the valid ky are fixed; along the row, outputs of the same
/// phase (ox mod stride_w) use kx of one residue class and read consecutive input columns, so runs of same-phase
/// outputs with the same valid kx range share a tap list and go through the shared register-blocked micro-kernels
/// (input pixel stride Cin, output pixel stride stride_w·Cout), vectorized across output channels.
/// </summary>
internal sealed unsafe class TransposeConvBiasCpuKernel<TOps, TV> : ICpuKernel
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<TransposeConvBiasCpuKernel<TOps, TV>> RunChunk =
        static (in TransposeConvBiasCpuKernel<TOps, TV> kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvGeometry _g;
    private readonly PackedConvWeights _weights; // owns the pinned buffers _plan points into
    private readonly GemmPlan _plan;
    private readonly GemmEpilogue<TV> _epilogue;

    private float* _x, _y;
    private int _channelGroups;

    public TransposeConvBiasCpuKernel(Tensor input, Tensor output, ConvGeometry geometry, PackedConvWeights weights, GemmEpilogue<TV> epilogue)
    {
        _input = input;
        _output = output;
        _g = geometry;
        _weights = weights;
        _plan = weights.Plan;
        _epilogue = epilogue;
    }

    public void Run(CpuThreadPool pool)
    {
        _x = ConvNodeChecks.Pointer(_input.Read<float>());
        _y = ConvNodeChecks.Pointer(_output.Write<float>());
        int rows = _g.Batches * _g.OutputHeight;
        _channelGroups = ConvNodeChecks.ChannelGroups(rows, _plan.BlockCount, pool.ThreadCount);
        pool.For(rows * _channelGroups, this, RunChunk);
    }

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
