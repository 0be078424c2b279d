using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SOFTMAX, float32 (int8/uint8: <see cref="QuantizedSoftmaxCpuNode"/>; int16: <see cref="Int16SoftmaxCpuNode"/>), bit-exact with the reference (docs/numerics.md §SOFTMAX): per row of the definition's
/// <see cref="SoftmaxParams.Depth"/> elements, m = the row's maximum (NaN wins), e_i = Exp((x_i − m) · beta),
/// sum = e_0 + e_1 + … left to right from +0, out_i = e_i · SpecMath.SoftmaxMultiplier(sum).
/// <para>
/// What is vectorised never changes a result: the exponentials (VectorSpecMath.Exp, the same operations per lane) and
/// the final multiply, and the maximum (lane-wise, then across lanes: a maximum is the same value in any order, ±0
/// aside, which no e_i can tell apart; a row holding a NaN is redone in the reference's order so even the NaN is the
/// same). The sum stays one sequential chain per row; four rows' chains run interleaved so that the adds overlap
/// instead of waiting on each other. Rows shorter than a vector take their maximum one element at a time, write it
/// under every element of the row, and compute the exponentials of a whole block of rows as one flat vector loop.
/// Rows are split over the delegate's pool.
/// </para>
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxCpuKernel : CpuKernel<SoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, SoftmaxParams p) =>
        p.Int16 is not null ? new Int16SoftmaxCpuNode(node.Inputs[0]!, node.Outputs[0], p)
        : p.QuantizedExpTable.IsEmpty ? new SoftmaxNode(node, p)
        : new QuantizedSoftmaxCpuNode(node.Inputs[0]!, node.Outputs[0], p);

    private sealed unsafe class SoftmaxNode : ICpuCompiledNode
    {
        /// <summary>About 2.5 ns per element on one AVX2 core (an Exp and the sequential sum): split from 8K elements per thread on.</summary>
        private const int MinElementsPerThread = 8 * 1024;

        /// <summary>Elements per block of short rows (the block's exponentials are one flat vector loop, kept in L1).</summary>
        private const int ShortRowBlock = 2048;

        private readonly Tensor _input, _output;
        private readonly SoftmaxParams _p;
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

        public SoftmaxNode(DelegateNode node, SoftmaxParams p)
        {
            _input = node.Inputs[0]!;
            _output = node.Outputs[0];
            _p = p;
            _minRowsPerThread = Math.Max(1, MinElementsPerThread / Math.Max(1, p.Depth));
        }

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            if (_p.Rows == 0) return;
            var state = new State(TensorData.Read(_input), TensorData.Write(_output), _p.Beta, _p.Depth, _width);
            Chunked.For(pool, _p.Rows, _minRowsPerThread, state, Work);
        }

        private readonly struct State(float* input, float* output, float beta, int depth, SimdWidth width)
        {
            public float* Input => input;
            public float* Output => output;
            public float Beta => beta;
            public int Depth => depth;
            public SimdWidth Width => width;
        }

        /// <summary>Rows [start, end).</summary>
        [MethodImpl(JitHints.Hot)]
        private static void Rows<TS, TV>(in State s, int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            int d = s.Depth;
            float beta = s.Beta;
            if (d < TS.Count)
            {
                ShortRows<TS, TV>(s.Input, s.Output, d, beta, start, end);
                return;
            }
            float* lanes = stackalloc float[TS.Count];
            int row = start;
            for (; row <= end - 4; row += 4)
            {
                float* x = s.Input + (long)row * d;
                float* y = s.Output + (long)row * d;
                ExponentialsOfRow<TS, TV>(x, y, d, beta, lanes);
                ExponentialsOfRow<TS, TV>(x + d, y + d, d, beta, lanes);
                ExponentialsOfRow<TS, TV>(x + 2 * d, y + 2 * d, d, beta, lanes);
                ExponentialsOfRow<TS, TV>(x + 3 * d, y + 3 * d, d, beta, lanes);
                // Four independent sequential sums, each in the reference's order.
                float* y1 = y + d, y2 = y + 2 * d, y3 = y + 3 * d;
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                for (int i = 0; i < d; i++)
                {
                    s0 += y[i];
                    s1 += y1[i];
                    s2 += y2[i];
                    s3 += y3[i];
                }
                ScaleRow<TS, TV>(y, d, SpecMath.SoftmaxMultiplier(s0));
                ScaleRow<TS, TV>(y1, d, SpecMath.SoftmaxMultiplier(s1));
                ScaleRow<TS, TV>(y2, d, SpecMath.SoftmaxMultiplier(s2));
                ScaleRow<TS, TV>(y3, d, SpecMath.SoftmaxMultiplier(s3));
            }
            for (; row < end; row++)
            {
                float* x = s.Input + (long)row * d;
                float* y = s.Output + (long)row * d;
                ExponentialsOfRow<TS, TV>(x, y, d, beta, lanes);
                float sum = 0f;
                for (int i = 0; i < d; i++) sum += y[i];
                ScaleRow<TS, TV>(y, d, SpecMath.SoftmaxMultiplier(sum));
            }
        }

        /// <summary>A row of d ≥ TS.Count elements: y_i = Exp((x_i − m) · beta) with m the row's maximum.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ExponentialsOfRow<TS, TV>(float* x, float* y, int d, float beta, float* lanes)
            where TS : ISimd<TV> where TV : unmanaged
        {
            // The maximum, lane by lane (NaN sticks in its lane), then across the lanes.
            TV vmax = TS.Load(x);
            int i = TS.Count;
            for (; i <= d - TS.Count; i += TS.Count) vmax = MaxStep<TS, TV>(vmax, TS.Load(x + i));
            if (i < d) vmax = MaxStep<TS, TV>(vmax, TS.Load(x + d - TS.Count)); // overlapping last vector: a maximum is idempotent
            TS.Store(lanes, vmax);
            float m = lanes[0];
            bool nan = float.IsNaN(m);
            for (int l = 1; l < TS.Count; l++)
            {
                // Branch-free (maxss): without NaN any order gives the maximum's value (±0 aside).
                nan |= float.IsNaN(lanes[l]);
                m = float.MaxNative(m, lanes[l]);
            }
            if (nan) m = SequentialMax(x, d); // the very NaN the reference picks (the last one)

            TV vm = TS.Splat(m), vb = TS.Splat(beta);
            for (i = 0; i <= d - TS.Count; i += TS.Count)
                TS.Store(y + i, VectorSpecMath.Exp<TS, TV>(TS.Multiply(TS.Subtract(TS.Load(x + i), vm), vb)));
            if (i < d)
            {
                // Overlapping last vector: recomputes lanes already written with the same bits (y never aliases x).
                i = d - TS.Count;
                TS.Store(y + i, VectorSpecMath.Exp<TS, TV>(TS.Multiply(TS.Subtract(TS.Load(x + i), vm), vb)));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV MaxStep<TS, TV>(TV max, TV v) where TS : ISimd<TV> where TV : unmanaged =>
            TS.Select(TS.Or(TS.GreaterThan(v, max), TS.IsNaN(v)), v, max);

        /// <summary>The reference's maximum: first element, then every greater one or NaN replaces it, in order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float SequentialMax(float* x, int d)
        {
            float m = x[0];
            for (int i = 1; i < d; i++)
                if (x[i] > m || float.IsNaN(x[i])) m = x[i];
            return m;
        }

        /// <summary>y_i = y_i · r over a row; the tail one element at a time (a second multiply of a lane would change it).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ScaleRow<TS, TV>(float* y, int d, float r) where TS : ISimd<TV> where TV : unmanaged
        {
            TV vr = TS.Splat(r);
            int i = 0;
            for (; i <= d - TS.Count; i += TS.Count) TS.Store(y + i, TS.Multiply(TS.Load(y + i), vr));
            for (; i < d; i++) y[i] *= r;
        }

        /// <summary>
        /// Rows shorter than a vector, a block at a time: each row's maximum written under its elements, then
        /// y = Exp((x − y) · beta) over the whole block as one flat loop, then each row's sum and multiply.
        /// </summary>
        [MethodImpl(JitHints.Hot)]
        private static void ShortRows<TS, TV>(float* input, float* output, int d, float beta, int start, int end)
            where TS : ISimd<TV> where TV : unmanaged
        {
            int rowsPerBlock = Math.Max(1, ShortRowBlock / d);
            TV vb = TS.Splat(beta);
            for (int first = start; first < end; first += rowsPerBlock)
            {
                int last = Math.Min(end, first + rowsPerBlock);
                float* x = input + (long)first * d;
                float* y = output + (long)first * d;
                int n = (last - first) * d;
                for (int o = 0; o < n; o += d)
                {
                    float m = SequentialMax(x + o, d);
                    for (int i = 0; i < d; i++) y[o + i] = m;
                }
                int k = 0;
                for (; k <= n - TS.Count; k += TS.Count)
                    TS.Store(y + k, VectorSpecMath.Exp<TS, TV>(TS.Multiply(TS.Subtract(TS.Load(x + k), TS.Load(y + k)), vb)));
                // No overlapping last vector here: y already holds exponentials where it held maxima.
                for (; k < n; k++) y[k] = VectorSpecMath.Exp<Scalar, float>((x[k] - y[k]) * beta);
                for (int o = 0; o < n; o += d)
                {
                    float sum = 0f;
                    for (int i = 0; i < d; i++) sum += y[o + i];
                    float r = SpecMath.SoftmaxMultiplier(sum);
                    for (int i = 0; i < d; i++) y[o + i] *= r;
                }
            }
        }
    }
}
