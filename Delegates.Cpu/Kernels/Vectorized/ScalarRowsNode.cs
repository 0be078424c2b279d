using System.Runtime.CompilerServices;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>One row of a last-dimension normalisation, computed in the reference's order (docs/numerics.md).</summary>
internal interface IRowOp<TParams>
{
    static abstract void Row(ReadOnlySpan<float> x, Span<float> y, TParams p);
}

/// <summary>
/// A float32 normalisation over rows of the last dimension (LOG_SOFTMAX, L2_NORMALIZATION,
/// LOCAL_RESPONSE_NORMALIZATION): each row is the reference's sequential sequence, bit for bit; rows are split over the
/// pool (rows are independent, so the split changes no result).
/// </summary>
internal sealed unsafe class ScalarRowsNode<TOp, TParams> : ICpuCompiledNode where TOp : IRowOp<TParams>
{
    /// <summary>Elements below which a thread hand-off costs more than it saves (an Exp or a Pow per element).</summary>
    private const int MinElementsPerThread = 4 * 1024;

    private readonly Tensor _input, _output;
    private readonly TParams _p;
    private readonly int _rows, _depth, _minRowsPerThread;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => Rows(s, start, end);

    public ScalarRowsNode(DelegateNode node, TParams p, int rows, int depth)
    {
        _input = node.Inputs[0]!;
        _output = node.Outputs[0];
        _p = p;
        _rows = rows;
        _depth = depth;
        _minRowsPerThread = Math.Max(1, MinElementsPerThread / Math.Max(1, depth));
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_rows == 0) return;
        Chunked.For(pool, _rows, _minRowsPerThread, new State(TensorData.Read(_input), TensorData.Write(_output), _depth, _p), Work);
    }

    [MethodImpl(JitHints.Hot)]
    private static void Rows(in State s, int start, int end)
    {
        for (int row = start; row < end; row++)
        {
            long offset = (long)row * s.Depth;
            TOp.Row(new ReadOnlySpan<float>(s.Input + offset, s.Depth), new Span<float>(s.Output + offset, s.Depth), s.P);
        }
    }

    private readonly struct State(float* input, float* output, int depth, TParams p)
    {
        public float* Input => input;
        public float* Output => output;
        public int Depth => depth;
        public TParams P => p;
    }
}
