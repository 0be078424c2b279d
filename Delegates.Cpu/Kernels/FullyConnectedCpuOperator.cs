using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// FULLY_CONNECTED on the CPU delegate (float32, constant DEFAULT-format [Units, K] weights, optional constant bias,
/// keep_num_dims either way, NONE/RELU/RELU_N1_TO_1/RELU6). Bit-exact with <see cref="FullyConnectedKernel"/>: each
/// output is the same FMA chain over k = 0..K−1, then + bias, then the clamp. Runs as a GEMM with the shared
/// micro-kernels (the weights are a 1×1 OHWI filter; batch rows are the pixels), vectorized across units.
/// </summary>
internal sealed class FullyConnectedCpuOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (node.Inputs.Count is < 2 or > 3 || node.Outputs.Count != 1)
            return NodeSupport.Refuse($"FULLY_CONNECTED needs 2 or 3 inputs and 1 output, has {node.Inputs.Count} and {node.Outputs.Count}");
        if (node.Options is not FullyConnectedOptions options) return NodeSupport.Refuse("FULLY_CONNECTED has no FullyConnectedOptions");
        if (options.WeightsFormat != 0) return NodeSupport.Refuse($"weights_format {options.WeightsFormat} is not DEFAULT");
        var input = node.Inputs[0];
        var weights = node.Inputs[1];
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var output = node.Outputs[0];
        string? reason = ConvNodeChecks.Float32(input, "input") ?? ConvNodeChecks.Float32(weights, "weights", 2)
            ?? ConvNodeChecks.Float32(output, "output");
        if (reason is not null) return NodeSupport.Refuse(reason);
        if (input!.Rank < 1) return NodeSupport.Refuse($"input '{input.Name}' is a scalar");
        if (ConvNodeChecks.Constant(weights!, "weights") is { } notConstant) return NodeSupport.Refuse(notConstant);
        int units = weights!.Dim(0), depth = weights.Dim(1);
        if (ConvNodeChecks.Bias(bias, units) is { } badBias) return NodeSupport.Refuse(badBias);
        if (ConvNodeChecks.ActivationRange(options.FusedActivation) is null)
            return NodeSupport.Refuse($"fused activation {options.FusedActivation} is not a clamp");
        if (input.ElementCount % depth != 0)
            return NodeSupport.Refuse($"input shape [{ConvNodeChecks.Format(input.Shape)}] does not flatten to rows of {depth}");
        long batch = input.ElementCount / depth;
        if (output!.ElementCount != batch * units)
            return NodeSupport.Refuse($"output shape [{ConvNodeChecks.Format(output.Shape)}] does not hold {batch}×{units} values");
        return NodeSupport.Supported;
    }

    public ICpuKernel Compile(DelegateNode node)
    {
        var options = (FullyConnectedOptions)node.Options!;
        var input = node.Inputs[0]!;
        var weights = node.Inputs[1]!;
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        int units = weights.Dim(0), depth = weights.Dim(1);
        int batch = (int)(input.ElementCount / depth);
        var (min, max) = ConvNodeChecks.ActivationRange(options.FusedActivation)!.Value;
        bool clamp = options.FusedActivation != ActivationFunctionType.None;
        var width = GemmWidths.For(units);
        var packed = new PackedConvWeights(weights.Read<float>(), bias is null ? default : bias.Read<float>(), units, 1, depth, (int)width);
        var output = node.Outputs[0];
        return width switch
        {
            GemmWidth.W512 => new FullyConnectedCpuKernel<Gemm512, Vector512<float>>(input, output, batch, packed,
                new(Vector512.Create(min), Vector512.Create(max), clamp)),
            GemmWidth.W256 => new FullyConnectedCpuKernel<Gemm256, Vector256<float>>(input, output, batch, packed,
                new(Vector256.Create(min), Vector256.Create(max), clamp)),
            GemmWidth.W128 => new FullyConnectedCpuKernel<Gemm128, Vector128<float>>(input, output, batch, packed,
                new(Vector128.Create(min), Vector128.Create(max), clamp)),
            _ => new FullyConnectedCpuKernel<GemmScalar, float>(input, output, batch, packed, new(min, max, clamp)),
        };
    }
}

/// <summary>
/// A compiled FULLY_CONNECTED: batch rows in tiles × unit blocks in groups, so a single-row product (the common case)
/// still spreads its unit blocks over the threads. Every output is computed by exactly one thread.
/// </summary>
internal sealed unsafe class FullyConnectedCpuKernel<TOps, TV> : ICpuKernel
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<FullyConnectedCpuKernel<TOps, TV>> RunChunk =
        static (in FullyConnectedCpuKernel<TOps, TV> kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input, _output;
    private readonly int _batch;
    private readonly PackedConvWeights _weights; // owns the pinned buffers _plan points into
    private readonly GemmPlan _plan;
    private readonly GemmEpilogue<TV> _epilogue;
    private readonly int _tileRows;

    private float* _x, _y;
    private int _channelGroups;

    public FullyConnectedCpuKernel(Tensor input, Tensor output, int batch, PackedConvWeights weights, GemmEpilogue<TV> epilogue)
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

    public void Run(CpuThreadPool pool)
    {
        _x = ConvNodeChecks.Pointer(_input.Read<float>());
        _y = ConvNodeChecks.Pointer(_output.Write<float>());
        int tiles = Tiles;
        _channelGroups = ConvNodeChecks.ChannelGroups(tiles, _plan.BlockCount, pool.ThreadCount);
        pool.For(tiles * _channelGroups, this, RunChunk);
    }

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
