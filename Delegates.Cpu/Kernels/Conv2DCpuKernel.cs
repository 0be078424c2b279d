using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// CONV_2D on the CPU delegate (float32, OHWI constant weights, optional constant bias, any clamp activation).
/// Bit-exact with <see cref="Conv2DKernel"/>: each output is the same FMA chain over (ky, kx, ci) skipping
/// out-of-bounds taps, then + bias, then the clamp. Grouped convolution is left to the reference.
/// </summary>
[OpCodes(BuiltinOperator.Conv2D)]
internal sealed class Conv2DCpuKernel : CpuKernel<Conv2DParams>, IFusesFollowingClamp, IFusesLeadingPad
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Conv2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, Conv2DParams p)
    {
        var filter = node.Inputs[1]!;
        if (ConvLoops.Refusal(node, filter, "filter", node.Inputs.Count > 2 ? node.Inputs[2] : null, (long)filter.Dim(1) * filter.Dim(2)) is { } reason)
            return NodeSupport.Refuse(reason);
        if (p.Groups != 1)
            return NodeSupport.Refuse($"grouped convolution ({p.Groups} groups: filter depth {filter.Dim(3)}, input depth {node.Inputs[0]!.Dim(3)}) runs on the reference kernel");
        if (p.Hybrid is not null && Hybrid.HybridConv2D.Refusal(filter, node.Outputs[0]) is { } tooLarge)
            return NodeSupport.Refuse(tooLarge);
        if (p.Quantized is not null && Quantized.QuantizedConv.GemmRefusal((long)filter.Dim(1) * filter.Dim(2) * filter.Dim(3)) is { } tooLong)
            return NodeSupport.Refuse(tooLong);
        if (p.Int16 is not null && Quantized.Int16ConvCpuNode.Refusal(ConvLayout.Of(node.Inputs[0]!, filter, node.Outputs[0], p.Geometry)) is { } tooWide)
            return NodeSupport.Refuse(tooWide);
        return NodeSupport.Supported;
    }

    protected override ICpuCompiledNode Compile(DelegateNode node, Conv2DParams p) => Compile(node, p, memory: null);

    /// <summary>The float GEMM's packed weights go to <paramref name="memory"/> where there is one (huge pages).</summary>
    protected override ICpuCompiledNode Compile(DelegateNode node, Conv2DParams p, PackedWeightMemory? memory)
    {
        if (p.Hybrid is { } hybrid) return Hybrid.HybridConv2D.Compile(node, p, hybrid);
        if (p.Quantized is { } quantized) return Quantized.QuantizedConv.CompileConv2D(node, p, quantized);
        var input = node.Inputs[0]!;
        if (p.Int16 is { } int16)
        {
            var layout = ConvLayout.Of(input, node.Inputs[1]!, node.Outputs[0], p.Geometry);
            var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
            return Quantized.Int16PixelLaneConvCpuNode.Fits(layout, Quantized.Int16Dot.Best())
                ? new Quantized.Int16PixelLaneConvCpuNode(input, node.Inputs[1]!, bias, node.Outputs[0], layout, int16)
                : new Quantized.Int16ConvCpuNode(input, node.Inputs[1]!, bias, node.Outputs[0], layout, int16, Quantized.Int16Dot.Best());
        }
        return CompileFloat(node, p, memory, input, ConvLayout.Of(input, node.Inputs[1]!, node.Outputs[0], p.Geometry));
    }

    /// <inheritdoc/>
    public ICpuCompiledNode? CompileWithLeadingPad(DelegateNode node, Tensor input, int padTop, int padLeft, PackedWeightMemory? memory)
    {
        var p = node.ParamsAs<Conv2DParams>();
        if (p.Hybrid is not null || p.Quantized is not null || p.Int16 is not null || p.Groups != 1) return null;
        var g = ConvLayout.Of(input, node.Inputs[1]!, node.Outputs[0], p.Geometry);
        return CompileFloat(node, p, memory, input, g with { PadTop = g.PadTop + padTop, PadLeft = g.PadLeft + padLeft });
    }

    /// <summary>The float32 node reading <paramref name="input"/> with <paramref name="geometry"/> (the node's own, or a fused PAD's).</summary>
    private static ICpuCompiledNode CompileFloat(DelegateNode node, Conv2DParams p, PackedWeightMemory? memory, Tensor input, ConvLayout geometry)
    {
        var filter = node.Inputs[1]!;
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var output = node.Outputs[0];
        float min = p.Activation.Min, max = p.Activation.Max;
        bool clamp = !VectorClamp.IsIdentityRange(p.Activation);
        if (Conv2DFewInputChannels.WidthFor(geometry) is { } fewWidth)
            return Conv2DFewInputChannels.Compile(input, output, geometry, fewWidth, filter.Read<float>(),
                bias is null ? default : bias.Read<float>(), min, max, clamp);
        var width = GemmWidths.ForMatrixProduct(geometry.OutputDepth);
        var weights = new PackedConvWeights(filter.Read<float>(), bias is null ? default : bias.Read<float>(),
            geometry.OutputDepth, geometry.FilterHeight * geometry.FilterWidth, geometry.InputDepth, (int)width, memory);
        if (width == GemmWidth.Scalar && Conv2DFewOutputChannels.WidthFor(geometry) is { } fewOutputWidth)
            return Conv2DFewOutputChannels.Compile(input, output, geometry, fewOutputWidth, filter.Read<float>(),
                bias is null ? default : bias.Read<float>(),
                new Conv2DCpuNode<GemmScalar, float>(input, output, geometry, weights, new(min, max, clamp)), min, max, clamp);
        // Pointwise to 8 channels (from 8, or another multiple of 4 up to 64) on AVX-512: pixel pairs fill whole vectors (PointwisePairs8); null elsewhere.
        var pairs = PointwisePairs8.Create(geometry, filter.Read<float>(), bias is null ? default : bias.Read<float>());
        return width switch
        {
            GemmWidth.W512 => new Conv2DCpuNode<Gemm512, Vector512<float>>(input, output, geometry, weights,
                new(Vector512.Create(min), Vector512.Create(max), clamp), pairs),
            GemmWidth.W256 => new Conv2DCpuNode<Gemm256, Vector256<float>>(input, output, geometry, weights,
                new(Vector256.Create(min), Vector256.Create(max), clamp), pairs),
            GemmWidth.W128 => new Conv2DCpuNode<Gemm128, Vector128<float>>(input, output, geometry, weights,
                new(Vector128.Create(min), Vector128.Create(max), clamp), pairs),
            _ => new Conv2DCpuNode<GemmScalar, float>(input, output, geometry, weights, new(min, max, clamp)),
        };
    }

    public bool WritesInPlace => false;

    /// <summary>
    /// A float32 convolution without a fused activation of its own (a RELU node after it, e.g. face_detection_short_range's
    /// first layer): the clamp the definition would apply as the fused activation, which §Activations defines as the RELU
    /// node's function, so the bits are the two nodes'. Shares the unfused node's packed weights.
    /// </summary>
    public ICpuCompiledNode? CompileWithClamp(DelegateNode node, ActivationRange clamp, Tensor output, ICpuCompiledNode unfused)
    {
        var p = node.ParamsAs<Conv2DParams>();
        if (p.Hybrid is not null || p.Quantized is not null || p.Int16 is not null || node.Inputs[0]!.Type != TensorType.Float32 || output.Type != TensorType.Float32
            || !VectorClamp.IsIdentityRange(p.Activation) || !output.Shape.SequenceEqual(node.Outputs[0].Shape))
            return null;
        return unfused is IConvWithClamp conv ? conv.WithClamp(output, clamp.Min, clamp.Max) : null;
    }
}

/// <summary>A compiled float convolution that can be re-targeted: the same packed weights, another output and clamp.</summary>
internal interface IConvWithClamp
{
    /// <summary>This convolution writing <c>clamp(result)</c> with [<paramref name="min"/>, <paramref name="max"/>] to <paramref name="output"/>.</summary>
    ICpuCompiledNode WithClamp(Tensor output, float min, float max);
}

/// <summary>
/// One convolution as the CPU loops walk it: the node's sizes (NHWC input, [*, KH, KW, *] filter, NHWC output) with
/// the definition's strides, dilations and leading padding.
/// </summary>
internal readonly record struct ConvLayout(
    int Batches, int InputHeight, int InputWidth, int InputDepth,
    int FilterHeight, int FilterWidth, int OutputHeight, int OutputWidth, int OutputDepth,
    int StrideH, int StrideW, int DilationH, int DilationW, int PadTop, int PadLeft)
{
    /// <summary>The layout of a CONV_2D or DEPTHWISE_CONV_2D node from its definition's <see cref="ConvGeometry"/>.</summary>
    public static ConvLayout Of(Tensor input, Tensor filter, Tensor output, ConvGeometry g) =>
        Of(input, filter, output, g.StrideH, g.StrideW, g.DilationH, g.DilationW, g.PadTop, g.PadLeft);

    public static ConvLayout Of(Tensor input, Tensor filter, Tensor output, int strideH, int strideW, int dilationH, int dilationW,
        int padTop, int padLeft) =>
        new(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), filter.Dim(1), filter.Dim(2),
            output.Dim(1), output.Dim(2), output.Dim(3), strideH, strideW, dilationH, dilationW, padTop, padLeft);

    /// <summary>1×1, stride 1, no padding: every output pixel reads the input pixel at the same flat index (a GEMM).</summary>
    public bool IsPointwise
    {
        // Read by every Run: inlined there rather than called (it is over the JIT's default inlining size).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => FilterHeight == 1 && FilterWidth == 1 && StrideH == 1 && StrideW == 1
            && PadTop == 0 && PadLeft == 0 && OutputHeight == InputHeight && OutputWidth == InputWidth;
    }
}

/// <summary>
/// A compiled CONV_2D. Pointwise convolutions run as one GEMM over all pixels, in pixel tiles; others go row by row,
/// where each row's pixels split into runs with the same in-bounds taps (the interior, where every kx is in bounds,
/// and single border pixels), so out-of-bounds taps are skipped exactly as the reference skips them.
/// Threads take contiguous ranges of (row or tile) × channel group; every output is computed by exactly one thread
/// (except the channels where the last block overlaps the one before: two threads may store the same bits there).
/// </summary>
internal sealed unsafe class Conv2DCpuNode<TOps, TV> : ICpuCompiledNode, IConvWithClamp, IFloatResidualAddProducer
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<Conv2DCpuNode<TOps, TV>> RunChunk =
        [MethodImpl(JitHints.Hot)] static (in Conv2DCpuNode<TOps, TV> kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input;
    private Tensor _output;                // set again only by WithClamp, on a copy
    private readonly ConvLayout _g;
    private readonly PackedConvWeights _weights; // owns the pinned buffers _plan points into
    private readonly GemmPlan _plan;
    private GemmEpilogue<TV> _epilogue;    // set again only by WithClamp, on a copy
    private readonly int _tilePixels;

    // Border columns run down the column (see BorderColumns): the full rows [_fullRowBegin, _fullRowEnd), where every
    // ky is in bounds, then compute only their interior; the columns outside [_interiorBegin, _interiorEnd) are extra
    // work units. _borderColumns is 0 when the node does not take this path.
    private readonly int _fullRowBegin, _fullRowEnd, _interiorBegin, _interiorEnd, _borderColumns;

    // Per-run state, set by Run before the threads start.
    private float* _x, _y;
    private int _channelGroups;
    private readonly int _units; // work units: pixel tiles (pointwise), else rows and border columns
    private readonly long _filterBytes, _inputBytes;
    private FloatResidualAddOperands? _residual; // the ADD this node's output feeds, computed in the same pass (null: none); set only by WithResidualAdd, on a copy
    private float* _r;                           // the residual's elements, and _y the ADD's output, while _residual is set
    private readonly SimdWidth _simd = SimdWidths.Current;
    private readonly PointwisePairs8? _pairs; // pointwise to 8 channels on AVX-512: whole tiles' pixels in pairs (null: the GEMM alone)

    public Conv2DCpuNode(Tensor input, Tensor output, ConvLayout geometry, PackedConvWeights weights, GemmEpilogue<TV> epilogue,
        PointwisePairs8? pairs = null)
    {
        _input = input;
        _pairs = pairs;
        _output = output;
        _g = geometry;
        _weights = weights;
        _plan = weights.Plan;
        _epilogue = epilogue;
        _filterBytes = (long)geometry.FilterHeight * geometry.FilterWidth * geometry.InputDepth * geometry.OutputDepth * sizeof(float);
        _inputBytes = (long)geometry.Batches * geometry.InputHeight * geometry.InputWidth * geometry.InputDepth * sizeof(float);
        // A pointwise tile's input rows (tile × Cin floats) stay in L1 while every channel block passes over them.
        // A whole number of the widest tile's pixels (a budget of 16 KiB to 64 KiB measured the same on
        // pose_landmark_heavy's 8×8×1632 layers, whose weights do not fit L2 either way).
        int step = GemmTiles<TOps, TV>.WidestTilePixels;
        _tilePixels = Math.Max(step, 4096 / Math.Max(1, geometry.InputDepth) / step * step);

        // Interior columns (every kx inside the input) and full rows (every ky inside).
        var g = geometry;
        _interiorBegin = Math.Min(g.OutputWidth, (g.PadLeft + g.StrideW - 1) / g.StrideW);
        int lastReach = g.InputWidth - 1 + g.PadLeft - (g.FilterWidth - 1) * g.DilationW;
        _interiorEnd = lastReach < 0 ? 0 : Math.Min(g.OutputWidth, lastReach / g.StrideW + 1);
        _fullRowBegin = Math.Min(g.OutputHeight, (g.PadTop + g.StrideH - 1) / g.StrideH);
        int lastRowReach = g.InputHeight - 1 + g.PadTop - (g.FilterHeight - 1) * g.DilationH;
        _fullRowEnd = lastRowReach < 0 ? 0 : Math.Min(g.OutputHeight, lastRowReach / g.StrideH + 1);
        if (!g.IsPointwise && _interiorEnd > _interiorBegin && _fullRowEnd - _fullRowBegin >= step)
            _borderColumns = _interiorBegin + (g.OutputWidth - _interiorEnd);
        _units = g.IsPointwise
            ? (g.Batches * g.OutputHeight * g.OutputWidth + _tilePixels - 1) / _tilePixels
            : g.Batches * (g.OutputHeight + _borderColumns);
    }

    public ICpuCompiledNode WithClamp(Tensor output, float min, float max)
    {
        var copy = (Conv2DCpuNode<TOps, TV>)MemberwiseClone();
        copy._output = output;
        copy._epilogue = new(TOps.Splat(min), TOps.Splat(max), true);
        return copy;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        Bind();
        _channelGroups = ConvLoops.ChannelGroups(_units, _plan.BlockCount, pool.ThreadCount, _filterBytes, _inputBytes);
        if (_residual is not null)
        {
            if (_channelGroups != 1) throw new InvalidOperationException("the fused residual pass runs whole tiles (one channel group)");
            _r = ConvLoops.Pointer(_residual.Residual.Read<float>());
        }
        pool.For(_units * _channelGroups, this, RunChunk);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunItems(int start, int end)
    {
        if (_residual is not null)
        {
            RunTilesWithResidual(start, end);
            return;
        }
        int* tapX = stackalloc int[_g.FilterHeight * _g.FilterWidth];
        int* tapW = stackalloc int[_g.FilterHeight * _g.FilterWidth];
        for (int item = start; item < end; item++)
        {
            // Group-major: a thread's contiguous share is its channel groups over every unit (ConvLoops.ChannelGroups).
            int group = item / _units, unit = item % _units;
            int blockBegin = (int)((long)_plan.BlockCount * group / _channelGroups);
            int blockEnd = (int)((long)_plan.BlockCount * (group + 1) / _channelGroups);
            if (_g.IsPointwise) PointwiseTile(unit, blockBegin, blockEnd, tapX, tapW, _y + (nint)unit * _tilePixels * _g.OutputDepth);
            else if (unit >= _g.Batches * _g.OutputHeight) BorderColumn(unit - _g.Batches * _g.OutputHeight, blockBegin, blockEnd, tapX, tapW);
            else if (_borderColumns > 0 && unit % _g.OutputHeight is var oy && oy >= _fullRowBegin && oy < _fullRowEnd)
                Row(unit, blockBegin, blockEnd, tapX, tapW, _interiorBegin, _interiorEnd);
            else Row(unit, blockBegin, blockEnd, tapX, tapW, 0, _g.OutputWidth);
        }
    }

    /// <summary>
    /// One border column (an output column with some kx out of bounds) over the full rows: those pixels share one tap
    /// list, one input row (times the vertical stride) apart, so they run as pixel tiles down the column instead of
    /// one pixel at a time along each row (MLSD's 3×3 decoder convolutions spent about a tenth of their time in those
    /// single-pixel tiles). Each output's FMA chain is the one <see cref="Row"/> would run: the same tap list.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void BorderColumn(int item, int blockBegin, int blockEnd, int* tapX, int* tapW)
    {
        var g = _g;
        int b = item / _borderColumns, column = item % _borderColumns;
        int ox = column < _interiorBegin ? column : _interiorEnd + (column - _interiorBegin);
        int iyOrigin = _fullRowBegin * g.StrideH - g.PadTop;
        int ixOrigin = ox * g.StrideW - g.PadLeft;
        int taps = Taps(iyOrigin, 0, g.FilterHeight, ixOrigin, ConvLoops.FirstTap(ixOrigin, g.DilationW),
            ConvLoops.EndTap(ixOrigin, g.DilationW, g.InputWidth, g.FilterWidth), tapX, tapW, out int depth);
        float* xBatch = _x + (nint)b * g.InputHeight * g.InputWidth * g.InputDepth;
        float* y = _y + ((nint)(b * g.OutputHeight + _fullRowBegin) * g.OutputWidth + ox) * g.OutputDepth;
        Pixels(xBatch, (nint)g.StrideH * g.InputWidth * g.InputDepth, tapX, tapW, taps, depth, y, (nint)g.OutputWidth * g.OutputDepth,
            _fullRowEnd - _fullRowBegin, blockBegin, blockEnd);
    }

    /// <summary>
    /// A run of pixels sharing one tap list. Where the widest tiles would leave single pixels (each a 1×2 tile whose two
    /// FMA chains wait on each other's latency), the last widest tile is moved back to end the run instead: it computes
    /// a few pixels again by the same FMA chains and stores the same bits over them.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Pixels(float* x, nint xStride, int* tapX, int* tapW, int taps, int depth, float* y, nint yStride, int count,
        int blockBegin, int blockEnd)
    {
        int step = GemmTiles<TOps, TV>.WidestTilePixels;
        int rest = count % step;
        if (count > step && rest % GemmTiles<TOps, TV>.TilePixels != 0)
        {
            int main = count - rest;
            GemmTiles<TOps, TV>.Run(_plan, _epilogue, x, xStride, tapX, tapW, taps, depth, y, yStride, main, blockBegin, blockEnd);
            GemmTiles<TOps, TV>.Run(_plan, _epilogue, x + (count - step) * xStride, xStride, tapX, tapW, taps, depth,
                y + (count - step) * yStride, yStride, step, blockBegin, blockEnd);
        }
        else
        {
            GemmTiles<TOps, TV>.Run(_plan, _epilogue, x, xStride, tapX, tapW, taps, depth, y, yStride, count, blockBegin, blockEnd);
        }
    }

    /// <summary>
    /// The tap list of a pixel whose window starts at (<paramref name="iyOrigin"/>, <paramref name="ixOrigin"/>) with
    /// the in-bounds taps [kyBegin, kyEnd) × [kxBegin, kxEnd): offsets absolute within the batch. With dilation 1 in x,
    /// (kx, ci) is contiguous in the input row and in the packed weights: one segment per ky.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private int Taps(int iyOrigin, int kyBegin, int kyEnd, int ixOrigin, int kxBegin, int kxEnd, int* tapX, int* tapW, out int depth)
    {
        var g = _g;
        int taps = 0;
        depth = g.InputDepth;
        if (g.DilationW == 1)
        {
            depth = (kxEnd - kxBegin) * g.InputDepth;
            for (int ky = kyBegin; ky < kyEnd && depth > 0; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                tapX[taps] = (iy * g.InputWidth + ixOrigin + kxBegin) * g.InputDepth;
                tapW[taps] = (ky * g.FilterWidth + kxBegin) * g.InputDepth;
                taps++;
            }
        }
        else
        {
            for (int ky = kyBegin; ky < kyEnd; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                for (int kx = kxBegin; kx < kxEnd; kx++)
                {
                    tapX[taps] = (iy * g.InputWidth + ixOrigin + kx * g.DilationW) * g.InputDepth;
                    tapW[taps] = (ky * g.FilterWidth + kx) * g.InputDepth;
                    taps++;
                }
            }
        }
        return taps;
    }

    /// <summary>Pixel tile <paramref name="tile"/>'s channel blocks [blockBegin, blockEnd) into <paramref name="output"/> (its first pixel's place); returns its pixel count.</summary>
    [MethodImpl(JitHints.Hot)]
    private int PointwiseTile(int tile, int blockBegin, int blockEnd, int* tapX, int* tapW, float* output)
    {
        int pixels = _g.Batches * _g.OutputHeight * _g.OutputWidth;
        int first = tile * _tilePixels;
        int count = Math.Min(_tilePixels, pixels - first);
        tapX[0] = 0;
        tapW[0] = 0;
        float* x = _x + (nint)first * _g.InputDepth;
        int done = 0;
        if (_pairs is not null && blockBegin == 0 && blockEnd == _plan.BlockCount)
        {
            TV min = _epilogue.Min, max = _epilogue.Max; // splats: lane 0 is the bound
            done = _pairs.Run(x, count, output, Unsafe.As<TV, float>(ref min), Unsafe.As<TV, float>(ref max), _epilogue.Clamp);
        }
        if (done < count)
            GemmTiles<TOps, TV>.Run(_plan, _epilogue, x + (nint)done * _g.InputDepth, _g.InputDepth, tapX, tapW, 1, _g.InputDepth,
                output + (nint)done * _g.OutputDepth, _g.OutputDepth, count - done, blockBegin, blockEnd);
        return count;
    }

    /// <summary>
    /// The fused residual ADD (pointwise, one channel group): each tile's outputs, every channel block, go to a stack
    /// buffer exactly as <see cref="PointwiseTile"/> stores them, then through the ADD's element loop with the
    /// residual's elements into the ADD's output. A tile reads all its input pixels before anything of it is written,
    /// so the output may lie exactly over the input (<see cref="CanRunOverInput"/>).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void RunTilesWithResidual(int start, int end)
    {
        var residual = _residual!;
        int depth = _g.OutputDepth;
        float* buffer = stackalloc float[_tilePixels * depth];
        int tap = 0;
        for (int tile = start; tile < end; tile++)
        {
            int count = PointwiseTile(tile, 0, _plan.BlockCount, &tap, &tap, buffer);
            nint at = (nint)tile * _tilePixels * depth;
            residual.Apply(_simd, buffer, _r + at, _y + at, count * depth);
        }
    }

    /// <inheritdoc/>
    public Tensor Input => _input;

    /// <inheritdoc/>
    /// <remarks>A pointwise convolution with as many output channels as input channels: each tile reads its pixels before it writes them.</remarks>
    public bool CanRunOverInput
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _g.IsPointwise && _g.InputDepth == _g.OutputDepth;
    }

    /// <inheritdoc/>
    [MethodImpl(JitHints.Hot)]
    public bool SplitsChannels(CpuThreadPool pool) =>
        ConvLoops.ChannelGroups(_units, _plan.BlockCount, pool.ThreadCount, _filterBytes, _inputBytes) > 1;

    /// <inheritdoc/>
    /// <remarks>
    /// Pointwise only, and only where a tile's outputs fit <see cref="FloatResidualAddOperands.BufferFloats"/>; the
    /// convolution's own clamp stays in its epilogue, the ADD's activation in the element loop.
    /// </remarks>
    public ICpuCompiledNode? WithResidualAdd(FloatResidualAddOperands residual)
    {
        if (!_g.IsPointwise || (long)_tilePixels * _g.OutputDepth > FloatResidualAddOperands.BufferFloats) return null;
        var copy = (Conv2DCpuNode<TOps, TV>)MemberwiseClone();
        copy._output = residual.Output;
        copy._residual = residual;
        return copy;
    }

    /// <summary>
    /// Output columns [<paramref name="from"/>, <paramref name="to"/>) of one row, every channel block, exactly as a
    /// whole-row run computes them (for <see cref="Conv2DFewOutputChannelsCpuNode{TOps, TV}"/>'s border pixels).
    /// <see cref="Bind"/> first; <paramref name="tapX"/> and <paramref name="tapW"/> hold KH·KW entries.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    internal void Columns(int row, int from, int to, int* tapX, int* tapW) => Row(row, 0, _plan.BlockCount, tapX, tapW, from, to);

    /// <summary>Takes this invoke's input and output pointers (what <see cref="Run"/> does first).</summary>
    [MethodImpl(JitHints.Hot)]
    internal void Bind()
    {
        _x = ConvLoops.Pointer(_input.Read<float>());
        _y = ConvLoops.Pointer(_output.Write<float>());
    }

    [MethodImpl(JitHints.Hot)]
    private void Row(int row, int blockBegin, int blockEnd, int* tapX, int* tapW, int from, int to)
    {
        var g = _g;
        int b = row / g.OutputHeight, oy = row % g.OutputHeight;
        int iyOrigin = oy * g.StrideH - g.PadTop;
        int kyBegin = ConvLoops.FirstTap(iyOrigin, g.DilationH);
        int kyEnd = ConvLoops.EndTap(iyOrigin, g.DilationH, g.InputHeight, g.FilterHeight);
        float* xBatch = _x + (nint)b * g.InputHeight * g.InputWidth * g.InputDepth;
        float* yRow = _y + (nint)row * g.OutputWidth * g.OutputDepth;
        nint xStride = (nint)g.StrideW * g.InputDepth;

        // Interior columns: every kx lands inside the input.
        int interiorBegin = _interiorBegin, interiorEnd = _interiorEnd;

        int ox = from;
        while (ox < to)
        {
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            int run, kxBegin, kxEnd;
            if (ox >= interiorBegin && ox < interiorEnd)
            {
                run = Math.Min(interiorEnd, to) - ox;
                kxBegin = 0;
                kxEnd = g.FilterWidth;
            }
            else
            {
                run = 1;
                kxBegin = ConvLoops.FirstTap(ixOrigin, g.DilationW);
                kxEnd = ConvLoops.EndTap(ixOrigin, g.DilationW, g.InputWidth, g.FilterWidth);
            }
            int taps = Taps(iyOrigin, kyBegin, kyEnd, ixOrigin, kxBegin, kxEnd, tapX, tapW, out int depth);
            // Tap offsets are absolute within the batch for pixel ox; the run's later pixels are xStride apart.
            Pixels(xBatch, xStride, tapX, tapW, taps, depth, yRow + (nint)ox * g.OutputDepth, g.OutputDepth, run, blockBegin, blockEnd);
            ox += run;
        }
    }
}
