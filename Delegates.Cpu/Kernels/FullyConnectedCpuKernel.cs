using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// FULLY_CONNECTED on the CPU delegate (float32, constant DEFAULT-format [Units, K] weights, optional constant bias,
/// keep_num_dims either way, any clamp activation). Bit-exact with <see cref="FullyConnectedKernel"/>: each output is
/// the same FMA chain over k = 0..K−1, then + bias, then the clamp. Runs as a GEMM with the shared micro-kernels (the
/// weights are a 1×1 OHWI filter; the definition's batch rows are the pixels), vectorized across units. Hybrid nodes
/// (float32 input, int8 weights) run <see cref="Hybrid.HybridFullyConnected"/>, integer ones the quantized GEMM.
/// </summary>
[OpCodes(BuiltinOperator.FullyConnected)]
internal sealed class FullyConnectedCpuKernel : CpuKernel<FullyConnectedParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.FullyConnected];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, FullyConnectedParams p) =>
        (ConvLoops.Refusal(node, node.Inputs[1]!, "weights", node.Inputs.Count > 2 ? node.Inputs[2] : null, 1)
         ?? (p.Quantized is null ? null : Quantized.QuantizedConv.GemmRefusal(p.Depth))
         ?? (p.Int16 is null ? null : Quantized.Int16ConvCpuNode.Refusal(AsPointwise(p)))) is { } reason
            ? NodeSupport.Refuse(reason)
            : NodeSupport.Supported;

    protected override ICpuCompiledNode Compile(DelegateNode node, FullyConnectedParams p) => Compile(node, p, memory: null);

    /// <summary>The float GEMM's packed weights go to <paramref name="memory"/> where there is one (huge pages).</summary>
    protected override ICpuCompiledNode Compile(DelegateNode node, FullyConnectedParams p, PackedWeightMemory? memory)
    {
        if (p.Hybrid is { } hybrid) return Hybrid.HybridFullyConnected.Compile(node, p, hybrid);
        if (p.Quantized is { } quantized) return Quantized.QuantizedConv.CompileFullyConnected(node, p, quantized);
        var input = node.Inputs[0]!;
        if (p.Int16 is { } int16)
            return new Quantized.Int16ConvCpuNode(input, node.Inputs[1]!, node.Inputs.Count > 2 ? node.Inputs[2] : null, node.Outputs[0],
                AsPointwise(p), int16, Quantized.Int16Dot.Best());
        var weights = node.Inputs[1]!;
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        float min = p.Activation.Min, max = p.Activation.Max;
        bool clamp = !VectorClamp.IsIdentityRange(p.Activation);
        var width = GemmWidths.ForMatrixProduct(p.Units);
        var packed = new PackedConvWeights(weights.Read<float>(), bias is null ? default : bias.Read<float>(), p.Units, 1, p.Depth, (int)width, memory);
        var output = node.Outputs[0];
        return width switch
        {
            GemmWidth.W512 => new FullyConnectedCpuNode<Gemm512, Vector512<float>>(input, output, p.Batch, packed,
                new(Vector512.Create(min), Vector512.Create(max), clamp)),
            GemmWidth.W256 => new FullyConnectedCpuNode<Gemm256, Vector256<float>>(input, output, p.Batch, packed,
                new(Vector256.Create(min), Vector256.Create(max), clamp)),
            GemmWidth.W128 => new FullyConnectedCpuNode<Gemm128, Vector128<float>>(input, output, p.Batch, packed,
                new(Vector128.Create(min), Vector128.Create(max), clamp)),
            _ => new FullyConnectedCpuNode<GemmScalar, float>(input, output, p.Batch, packed, new(min, max, clamp)),
        };
    }

    /// <summary>The product as a pointwise convolution: the batch rows are the pixels, the weights a 1×1 filter.</summary>
    private static ConvLayout AsPointwise(FullyConnectedParams p) => new(1, 1, p.Batch, p.Depth, 1, 1, 1, p.Batch, p.Units, 1, 1, 1, 1, 0, 0);
}

/// <summary>
/// A compiled FULLY_CONNECTED: batch rows in tiles × unit blocks in groups, so a single-row product (the common case)
/// still spreads its unit blocks over the threads. Every output is computed by exactly one thread.
/// </summary>
internal sealed unsafe class FullyConnectedCpuNode<TOps, TV> : ICpuCompiledNode
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<FullyConnectedCpuNode<TOps, TV>> RunChunk =
        [MethodImpl(JitHints.Hot)] static (in FullyConnectedCpuNode<TOps, TV> kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input, _output;
    private readonly int _batch;
    private readonly PackedConvWeights _weights; // owns the pinned buffers _plan points into
    private readonly GemmPlan _plan;
    private readonly GemmEpilogue<TV> _epilogue;
    private readonly int _tileRows;

    private float* _x, _y;
    private int _channelGroups;

    public FullyConnectedCpuNode(Tensor input, Tensor output, int batch, PackedConvWeights weights, GemmEpilogue<TV> epilogue)
    {
        _input = input;
        _output = output;
        _batch = batch;
        _weights = weights;
        _plan = weights.Plan;
        _epilogue = epilogue;
        _tileRows = Math.Max(GemmTiles<TOps, TV>.TilePixels, 4096 / Math.Max(1, weights.Depth) / 4 * 4);
    }

    private int Tiles => (_batch + _tileRows - 1) / _tileRows;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = ConvLoops.Pointer(_input.Read<float>());
        _y = ConvLoops.Pointer(_output.Write<float>());
        int tiles = Tiles;
        _channelGroups = ConvLoops.ChannelGroups(tiles, _plan.BlockCount, pool.ThreadCount);
        pool.For(tiles * _channelGroups, this, RunChunk);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunItems(int start, int end)
    {
        int tapX = 0, tapW = 0;
        int depth = _weights.Depth, units = _weights.OutputChannels;
        for (int item = start; item < end; item++)
        {
            int tile = item / _channelGroups, group = item % _channelGroups;
            int blockBegin = (int)((long)_plan.BlockCount * group / _channelGroups);
            int blockEnd = (int)((long)_plan.BlockCount * (group + 1) / _channelGroups);
            int first = tile * _tileRows;
            int rows = Math.Min(_tileRows, _batch - first);
            GemmTiles<TOps, TV>.Run(_plan, _epilogue, _x + (nint)first * depth, depth, &tapX, &tapW, 1, depth,
                _y + (nint)first * units, units, rows, blockBegin, blockEnd);
        }
    }
}
