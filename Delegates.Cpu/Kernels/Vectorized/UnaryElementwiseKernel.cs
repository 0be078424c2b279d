namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// Engine of the one-input element-wise ops (RELU, RELU6, HARD_SWISH, LOGISTIC): out[i] = op(in[i]) over the
/// flattened tensor, vectorized, split over the pool in contiguous ranges.
/// </summary>
internal sealed unsafe class UnaryElementwiseKernel<TOp> : ICpuKernel where TOp : struct, IUnaryOp
{
    private readonly Tensor _input, _output;
    private readonly TOp _op;
    private readonly SimdWidth _width;
    private readonly int _minPerThread;
    private readonly int _count;

    private static readonly CpuThreadPool.ChunkAction<State> Work = static (in State s, int start, int end) =>
        ElementwiseLoops.Map(s.Width, s.Op, s.Input, s.Output, start, end);

    /// <param name="minPerThread">Elements below which a thread hand-off costs more than it saves (lower for costly ops).</param>
    public UnaryElementwiseKernel(DelegateNode node, TOp op, int minPerThread)
    {
        _input = node.Inputs[0]!;
        _output = node.Outputs[0];
        _op = op;
        _width = SimdWidths.Current;
        _minPerThread = minPerThread;
        _count = checked((int)_output.ElementCount);
    }

    public void Run(CpuThreadPool pool)
    {
        var state = new State(TensorData.Read(_input), TensorData.Write(_output), _op, _width);
        Chunked.For(pool, _count, _minPerThread, state, Work);
    }

    private readonly struct State(float* input, float* output, TOp op, SimdWidth width)
    {
        public float* Input => input;
        public float* Output => output;
        public TOp Op => op;
        public SimdWidth Width => width;
    }
}

/// <summary>Support check shared by the one-input element-wise ops.</summary>
internal static class UnaryElementwise
{
    public static NodeSupport Supports(DelegateNode node)
    {
        if (NodeChecks.Float32Arity(node, 1, 1, 1) is { } reason) return NodeSupport.Refuse(reason);
        return NodeChecks.ToSupport(NodeChecks.SameElementCount(node.Inputs[0]!, node.Outputs[0]));
    }
}
