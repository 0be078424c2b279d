using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// AVERAGE_POOL_2D, float32 NHWC, vectorized across channels. Per output element, as the reference: sum = +0, then
/// sum = sum + v over the in-bounds taps in (ky, kx) order (plain rounded adds, never reassociated), then
/// sum · R(count) with R = SpecMath.ReciprocalOfCount (an empty window multiplies by +inf), then the clamp.
/// </summary>
internal sealed class AveragePool2DOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) =>
        Pool2DPlan.Create(node, out string reason) is null ? NodeSupport.Refuse(reason) : NodeSupport.Supported;

    public ICpuKernel Compile(DelegateNode node) =>
        new AveragePool2DKernel(node.Inputs[0]!, node.Outputs[0],
            Pool2DPlan.Create(node, out string reason) ?? throw new InvalidOperationException(reason));

    private sealed unsafe class AveragePool2DKernel : ICpuKernel
    {
        private readonly Tensor _input, _output;
        private readonly Pool2DPlan _plan;
        private readonly float[] _reciprocalOfCount;
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _minRows;

        public AveragePool2DKernel(Tensor input, Tensor output, Pool2DPlan plan)
        {
            _input = input;
            _output = output;
            _plan = plan;
            _minRows = plan.MinRowsPerThread(1);
            int maxCount = plan.FilterH * plan.FilterW;
            _reciprocalOfCount = new float[maxCount + 1];
            _reciprocalOfCount[0] = float.PositiveInfinity;
            for (int n = 1; n <= maxCount; n++) _reciprocalOfCount[n] = SpecMath.ReciprocalOfCount(n);
        }

        private static readonly CpuThreadPool.ChunkAction<State> Work = static (in State s, int start, int end) =>
        {
            switch (s.Width)
            {
                case SimdWidth.W512: Rows<Simd512, Vector512<float>>(s, start, end); break;
                case SimdWidth.W256: Rows<Simd256, Vector256<float>>(s, start, end); break;
                case SimdWidth.W128: Rows<Simd128, Vector128<float>>(s, start, end); break;
                default: Rows<Scalar, float>(s, start, end); break;
            }
        };

        public void Run(CpuThreadPool pool)
        {
            var state = new State(TensorData.Read(_input), TensorData.Write(_output), _plan, _reciprocalOfCount, _width);
            Chunked.For(pool, _plan.Batches * _plan.OutputHeight, _minRows, state, Work);
        }

        private readonly struct State(float* input, float* output, Pool2DPlan plan, float[] reciprocals, SimdWidth width)
        {
            public float* Input => input;
            public float* Output => output;
            public Pool2DPlan Plan => plan;
            public float[] Reciprocals => reciprocals;
            public SimdWidth Width => width;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Rows<TS, TV>(in State s, int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            var p = s.Plan;
            int depth = p.Depth;
            bool clamp = !p.Clamp.IsIdentity;
            for (int row = start; row < end; row++)
            {
                int b = row / p.OutputHeight, oy = row % p.OutputHeight;
                var (kyStart, kyEnd) = Pool2DPlan.Taps(oy, p.StrideH, p.PadTop, p.FilterH, p.Height);
                int iyOrigin = oy * p.StrideH - p.PadTop;
                float* outRow = s.Output + (long)row * p.OutputWidth * depth;
                for (int ox = 0; ox < p.OutputWidth; ox++)
                {
                    var (kxStart, kxEnd) = Pool2DPlan.Taps(ox, p.StrideW, p.PadLeft, p.FilterW, p.Width);
                    int ixOrigin = ox * p.StrideW - p.PadLeft;
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
                return clamp ? FusedClamp.Apply<TS, TV>(average, TS.Splat(min), TS.Splat(max)) : average;
            }
        }
    }
}
