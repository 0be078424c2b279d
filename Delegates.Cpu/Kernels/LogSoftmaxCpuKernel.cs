using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// LOG_SOFTMAX, float32 (int8/uint8: <see cref="QuantizedLogSoftmaxCpuNode"/>) (docs/numerics.md §LOG_SOFTMAX): per row, m = the maximum (NaN wins), sum of Exp(x_i − m) in
/// order, out_i = (x_i − m) − Log(sum) — the reference's sequence; rows split over the pool.
/// <para>
/// Vectorised as SOFTMAX is, never changing a result: the maximum lane-wise then across the lanes (the same value in
/// any order; ±0 aside, which cannot change an output: both give Exp = 1, so the sum is at least 2 and Log(sum) ≠ 0 absorbs
/// the zero's sign; a row holding a NaN is redone in the reference's order), the exponentials (VectorSpecMath.Exp) and the
/// final subtractions. The sum stays one sequential chain per row. Rows shorter than a vector run the reference's
/// scalar sequence.
/// </para>
/// </summary>
[OpCodes(BuiltinOperator.LogSoftmax)]
internal sealed class LogSoftmaxCpuKernel : CpuKernel<LogSoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogSoftmax];
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override ICpuCompiledNode Compile(DelegateNode node, LogSoftmaxParams p) =>
        p.QuantizedExpTable.IsEmpty ? new LogSoftmaxNode(node, p) : new QuantizedLogSoftmaxCpuNode(node.Inputs[0]!, node.Outputs[0], p);

    private sealed unsafe class LogSoftmaxNode : ICpuCompiledNode
    {
        private const int MinElementsPerThread = 8 * 1024;

        private readonly Tensor _input, _output;
        private readonly int _rows, _depth;
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _minRowsPerThread;

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        {
            switch (s.Width)
            {
                case SimdWidth.W512: Rows<Simd512, Vector512<float>>(s, start, end); break;
                case SimdWidth.W256: Rows<Simd256, Vector256<float>>(s, start, end); break;
                case SimdWidth.W128: Rows<Simd128, Vector128<float>>(s, start, end); break;
                default: Rows<Scalar, float>(s, start, end); break;
            }
        };

        public LogSoftmaxNode(DelegateNode node, LogSoftmaxParams p)
        {
            _input = node.Inputs[0]!;
            _output = node.Outputs[0];
            _rows = p.Rows;
            _depth = p.Depth;
            _minRowsPerThread = Math.Max(1, MinElementsPerThread / Math.Max(1, p.Depth));
        }

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            if (_rows == 0 || _depth == 0) return;
            var state = new State(TensorData.Read(_input), TensorData.Write(_output), _depth, _width);
            Chunked.For(pool, _rows, _minRowsPerThread, state, Work);
        }

        private readonly struct State(float* input, float* output, int depth, SimdWidth width)
        {
            public float* Input => input;
            public float* Output => output;
            public int Depth => depth;
            public SimdWidth Width => width;
        }

        [MethodImpl(JitHints.Hot)]
        private static void Rows<TS, TV>(in State s, int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            int d = s.Depth;
            float* lanes = stackalloc float[TS.Count];
            for (int row = start; row < end; row++)
            {
                float* x = s.Input + (long)row * d;
                float* y = s.Output + (long)row * d;
                if (d < TS.Count)
                {
                    ScalarRow(x, y, d);
                    continue;
                }
                float m = RowMaximum<TS, TV>(x, d, lanes);
                TV vm = TS.Splat(m);
                int i = 0;
                for (; i <= d - TS.Count; i += TS.Count)
                    TS.Store(y + i, VectorSpecMath.Exp<TS, TV>(TS.Subtract(TS.Load(x + i), vm)));
                for (; i < d; i++) y[i] = VectorSpecMath.Exp<Scalar, float>(x[i] - m);
                float sum = 0f;
                for (i = 0; i < d; i++) sum += y[i];
                TV vl = TS.Splat(SpecMath.Log(sum));
                for (i = 0; i <= d - TS.Count; i += TS.Count)
                    TS.Store(y + i, TS.Subtract(TS.Subtract(TS.Load(x + i), vm), vl));
                if (i < d)
                {
                    // Overlapping last vector: y is recomputed from x (never aliased), so rewritten lanes get the same bits.
                    i = d - TS.Count;
                    TS.Store(y + i, TS.Subtract(TS.Subtract(TS.Load(x + i), vm), vl));
                }
            }
        }

        /// <summary>The row's maximum: lane-wise (NaN sticks in its lane), then across lanes; with a NaN, the reference's order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float RowMaximum<TS, TV>(float* x, int d, float* lanes) where TS : ISimd<TV> where TV : unmanaged
        {
            TV vmax = TS.Load(x);
            int i = TS.Count;
            for (; i <= d - TS.Count; i += TS.Count) vmax = MaxStep<TS, TV>(vmax, TS.Load(x + i));
            if (i < d) vmax = MaxStep<TS, TV>(vmax, TS.Load(x + d - TS.Count)); // overlapping last vector: a maximum is idempotent
            TS.Store(lanes, vmax);
            float m = lanes[0];
            bool nan = float.IsNaN(m);
            for (int l = 1; l < TS.Count; l++)
            {
                nan |= float.IsNaN(lanes[l]);
                m = float.MaxNative(m, lanes[l]);
            }
            return nan ? SequentialMax(x, d) : m;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV MaxStep<TS, TV>(TV max, TV v) where TS : ISimd<TV> where TV : unmanaged =>
            TS.Select(TS.Or(TS.GreaterThan(v, max), TS.IsNaN(v)), v, max);

        /// <summary>The reference's maximum: first element, then every greater one or NaN replaces it, in order.</summary>
        [MethodImpl(JitHints.Hot)]
        private static float SequentialMax(float* x, int d)
        {
            float m = x[0];
            for (int i = 1; i < d; i++)
                if (x[i] > m || float.IsNaN(x[i])) m = x[i];
            return m;
        }

        /// <summary>The reference's row, element by element.</summary>
        [MethodImpl(JitHints.Hot)]
        private static void ScalarRow(float* x, float* y, int d)
        {
            float max = SequentialMax(x, d);
            float sum = 0f;
            for (int i = 0; i < d; i++) sum += SpecMath.Exp(x[i] - max);
            float logSum = SpecMath.Log(sum);
            for (int i = 0; i < d; i++) y[i] = x[i] - max - logSum;
        }
    }
}
