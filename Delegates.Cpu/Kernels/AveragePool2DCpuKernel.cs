using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// AVERAGE_POOL_2D, float32 NHWC, vectorized across channels. Per output element, as the reference: sum = +0, then
/// sum = sum + v over the in-bounds taps in (ky, kx) order (plain rounded adds, never reassociated), then
/// sum · R(count) with R = SpecMath.ReciprocalOfCount (an empty window multiplies by +inf), then the clamp.
/// </summary>
[OpCodes(BuiltinOperator.AveragePool2D)]
internal sealed class AveragePool2DCpuKernel : CpuKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.AveragePool2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, Pool2DParams p) =>
        p.Quantized is { } quantized ? new Quantized.QuantizedPoolCpuNode(node.Inputs[0]!, node.Outputs[0], p, quantized, average: true, Quantized.QuantizedIsas.Best(false)) :
        new AveragePool2DNode(node.Inputs[0]!, node.Outputs[0], new PoolWindow(node, p), p.ReciprocalOfCount.ToArray());

    private sealed unsafe class AveragePool2DNode : ICpuCompiledNode
    {
        private readonly Tensor _input, _output;
        private readonly PoolWindow _plan;
        private readonly float[] _reciprocalOfCount;
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _minRows;

        /// <param name="reciprocalOfCount">The definition's R(n) for every tap count n a window can have.</param>
        public AveragePool2DNode(Tensor input, Tensor output, PoolWindow plan, float[] reciprocalOfCount)
        {
            _input = input;
            _output = output;
            _plan = plan;
            _minRows = plan.MinRowsPerThread;
            _reciprocalOfCount = reciprocalOfCount;
        }

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

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            var state = new State(TensorData.Read(_input), TensorData.Write(_output), _plan, _reciprocalOfCount, _width);
            Chunked.For(pool, _plan.Batches * _plan.OutputHeight, _minRows, state, Work);
        }

        private readonly struct State(float* input, float* output, PoolWindow plan, float[] reciprocals, SimdWidth width)
        {
            public float* Input => input;
            public float* Output => output;
            public PoolWindow Plan => plan;
            public float[] Reciprocals => reciprocals;
            public SimdWidth Width => width;
        }

        [MethodImpl(JitHints.Hot)]
        private static void Rows<TS, TV>(in State s, int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            var p = s.Plan;
            var g = p.Geometry;
            int depth = p.Depth;
            bool clamp = !p.Clamp.IsIdentity;
            for (int row = start; row < end; row++)
            {
                int b = row / p.OutputHeight, oy = row % p.OutputHeight;
                var (kyStart, kyEnd) = Pool2DGeometry.Taps(oy, g.StrideH, g.PadTop, g.FilterH, p.Height);
                int iyOrigin = oy * g.StrideH - g.PadTop;
                float* outRow = s.Output + (long)row * p.OutputWidth * depth;
                for (int ox = 0; ox < p.OutputWidth; ox++)
                {
                    var (kxStart, kxEnd) = Pool2DGeometry.Taps(ox, g.StrideW, g.PadLeft, g.FilterW, p.Width);
                    int ixOrigin = ox * g.StrideW - g.PadLeft;
                    int count = Math.Max(kyEnd - kyStart, 0) * Math.Max(kxEnd - kxStart, 0);
                    float reciprocal = s.Reciprocals[count];
                    float* window = s.Input + ((long)(b * p.Height + iyOrigin) * p.Width + ixOrigin) * depth;
                    var pixel = new AveragePixel(window, (long)p.Width * depth, depth, kyStart, kyEnd, kxStart, kxEnd,
                        reciprocal, clamp, p.Clamp.Min, p.Clamp.Max);
                    ChannelLoop.Run<AveragePixel, TS, TV>(pixel, outRow + (long)ox * depth, depth);
                }
            }
        }

        /// <summary>The window average of one output pixel for a run of channels.</summary>
        private readonly struct AveragePixel(float* window, long rowStride, int depth, int kyStart, int kyEnd, int kxStart,
            int kxEnd, float reciprocal, bool clamp, float min, float max) : IChannelOp
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public TV Compute<TS, TV>(int c) where TS : ISimd<TV> where TV : unmanaged
            {
                TV sum = TS.Splat(0f);
                for (int ky = kyStart; ky < kyEnd; ky++)
                {
                    float* tapRow = window + ky * rowStride + c;
                    for (int kx = kxStart; kx < kxEnd; kx++) sum = TS.Add(sum, TS.Load(tapRow + (long)kx * depth));
                }
                TV average = TS.Multiply(sum, TS.Splat(reciprocal));
                return clamp ? VectorClamp.Apply<TS, TV>(average, TS.Splat(min), TS.Splat(max)) : average;
            }
        }
    }
}
