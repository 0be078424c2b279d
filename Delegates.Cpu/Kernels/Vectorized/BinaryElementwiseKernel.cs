namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// ADD/SUB/MUL engine: out = clamp(op(a, b)) per output element with NumPy broadcasting, vectorized along the
/// collapsed innermost rows, split over the pool by rows (or by row segments when there are few long rows).
/// </summary>
internal sealed unsafe class BinaryElementwiseKernel<TOp> : ICpuKernel where TOp : struct, IBinaryOp
{
    /// <summary>Element-wise work below this many elements per thread is not worth a hand-off.</summary>
    private const int MinElementsPerThread = 16 * 1024;

    /// <summary>Long rows are cut into segments of at least this many elements so that one row can be shared.</summary>
    private const int SegmentLength = 4096;

    private readonly Tensor _a, _b, _output;
    private readonly BroadcastRows _plan;
    private readonly FusedClamp _clamp;
    private readonly SimdWidth _width;
    private readonly int _segmentsPerRow;
    private readonly int _segmentLength;

    private static readonly CpuThreadPool.ChunkAction<State> Work = static (in State s, int start, int end) => s.Run(start, end);

    public BinaryElementwiseKernel(DelegateNode node, BroadcastRows plan, FusedClamp clamp)
    {
        _a = node.Inputs[0]!;
        _b = node.Inputs[1]!;
        _output = node.Outputs[0];
        _plan = plan;
        _clamp = clamp;
        _width = SimdWidths.Current;
        _segmentsPerRow = plan.Rows >= 8 ? 1 : Math.Max(1, plan.RowLength / SegmentLength);
        _segmentLength = (plan.RowLength + _segmentsPerRow - 1) / _segmentsPerRow;
    }

    public void Run(CpuThreadPool pool)
    {
        if (_output.ElementCount == 0) return;
        var state = new State(TensorData.Read(_a), TensorData.Read(_b), TensorData.Write(_output), _plan, _clamp, _width,
            _segmentsPerRow, _segmentLength);
        int units = _plan.Rows * _segmentsPerRow;
        int minUnits = Math.Max(1, MinElementsPerThread / Math.Max(1, Math.Min(_segmentLength, _plan.RowLength)));
        Chunked.For(pool, units, minUnits, state, Work);
    }

    private readonly struct State(float* a, float* b, float* output, BroadcastRows plan, FusedClamp clamp, SimdWidth width,
        int segmentsPerRow, int segmentLength)
    {
        public void Run(int start, int end)
        {
            var op = default(TOp);
            int rowLength = plan.RowLength;
            for (int unit = start; unit < end; unit++)
            {
                int row = unit / segmentsPerRow;
                int from = unit % segmentsPerRow * segmentLength;
                int count = Math.Min(segmentLength, rowLength - from);
                if (count <= 0) continue;
                var (aOffset, bOffset) = plan.RowOffsets(row);
                float* ar = a + aOffset + (plan.AStep == 0 ? 0 : from);
                float* br = b + bOffset + (plan.BStep == 0 ? 0 : from);
                float* or = output + (long)row * rowLength + from;
                ElementwiseLoops.Row(width, op, ar, plan.AStep, br, plan.BStep, or, count, clamp);
            }
        }
    }
}

/// <summary>Support checks and compile for the broadcast binary ops.</summary>
internal static class BinaryElementwise
{
    public static NodeSupport Supports(DelegateNode node, ActivationFunctionType? activation)
    {
        if (NodeChecks.Float32Arity(node, 2, 2, 1) is { } reason) return NodeSupport.Refuse(reason);
        // Absent options mean no activation (TFLite and the reference agree).
        if (FusedClamp.For(activation ?? ActivationFunctionType.None, out reason) is null) return NodeSupport.Refuse(reason);
        if (BroadcastRows.Create(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, node.Outputs[0].Shape, out reason) is null)
            return NodeSupport.Refuse(reason);
        return NodeSupport.Supported;
    }

    public static ICpuKernel Compile<TOp>(DelegateNode node, ActivationFunctionType? activation) where TOp : struct, IBinaryOp
    {
        var clamp = FusedClamp.For(activation ?? ActivationFunctionType.None, out string reason)
            ?? throw new InvalidOperationException(reason);
        var plan = BroadcastRows.Create(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, node.Outputs[0].Shape, out reason)
            ?? throw new InvalidOperationException(reason);
        return new BinaryElementwiseKernel<TOp>(node, plan, clamp);
    }
}
