using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// MAX_POOL_2D, float32 NHWC, vectorized across channels. Per output element, as the reference: the first in-bounds
/// tap, then in (ky, kx) order a tap v replaces the maximum m when <c>v &gt; m || isNaN(v)</c> (so NaN wins and the
/// first of equal values, e.g. −0 before +0, stays); an empty window gives NaN; then the fused-activation clamp.
/// </summary>
[OpCodes(BuiltinOperator.MaxPool2D)]
internal sealed class MaxPool2DCpuKernel : CpuKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.MaxPool2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, Pool2DParams p) =>
        p.Quantized is { } quantized ? new Quantized.QuantizedPoolCpuNode(node.Inputs[0]!, node.Outputs[0], p, quantized, average: false, Quantized.QuantizedIsas.Best(false)) :
        new MaxPool2DNode(node.Inputs[0]!, node.Outputs[0], new PoolWindow(node, p));

    private sealed unsafe class MaxPool2DNode(Tensor input, Tensor output, PoolWindow plan) : ICpuCompiledNode
    {
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _minRows = plan.MinRowsPerThread;

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
            var state = new State(TensorData.Read(input), TensorData.Write(output), plan, _width);
            Chunked.For(pool, plan.Batches * plan.OutputHeight, _minRows, state, Work);
        }

        private readonly struct State(float* input, float* output, PoolWindow plan, SimdWidth width)
        {
            public float* Input => input;
            public float* Output => output;
            public PoolWindow Plan => plan;
            public SimdWidth Width => width;
        }

        /// <summary>Channel counts below this take the flat interior run when the horizontal stride is 1.</summary>
        private const int FlatRunDepth = 8;

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
                // Few channels with horizontal stride 1 (MLSD's 1-channel 3×3 score pool): the interior pixels, whose
                // windows are whole, are one flat run of output elements; element j of the run reads input element
                // j + kx·depth of each tap row, so the same per-element walk vectorizes along the row.
                int interiorBegin = 0, interiorEnd = 0;
                if (depth < FlatRunDepth && g.StrideW == 1)
                {
                    interiorBegin = Math.Min(p.OutputWidth, g.PadLeft);
                    interiorEnd = Math.Max(interiorBegin, Math.Min(p.OutputWidth, p.Width - g.FilterW + 1 + g.PadLeft));
                    if (interiorEnd > interiorBegin)
                    {
                        float* window = s.Input + ((long)(b * p.Height + iyOrigin) * p.Width + interiorBegin - g.PadLeft) * depth;
                        var run = new MaxPixel(window, (long)p.Width * depth, depth, kyStart, kyEnd, 0, g.FilterW, clamp,
                            p.Clamp.Min, p.Clamp.Max);
                        ChannelLoop.Run<MaxPixel, TS, TV>(run, outRow + (long)interiorBegin * depth, (interiorEnd - interiorBegin) * depth);
                    }
                }
                for (int ox = 0; ox < p.OutputWidth; ox++)
                {
                    if (ox == interiorBegin && interiorEnd > interiorBegin) { ox = interiorEnd - 1; continue; }
                    var (kxStart, kxEnd) = Pool2DGeometry.Taps(ox, g.StrideW, g.PadLeft, g.FilterW, p.Width);
                    int ixOrigin = ox * g.StrideW - g.PadLeft;
                    float* window = s.Input + ((long)(b * p.Height + iyOrigin) * p.Width + ixOrigin) * depth;
                    var pixel = new MaxPixel(window, (long)p.Width * depth, depth, kyStart, kyEnd, kxStart, kxEnd, clamp,
                        p.Clamp.Min, p.Clamp.Max);
                    ChannelLoop.Run<MaxPixel, TS, TV>(pixel, outRow + (long)ox * depth, depth);
                }
            }
        }

        /// <summary>The window maximum of one output pixel for a run of channels.</summary>
        private readonly struct MaxPixel(float* window, long rowStride, int depth, int kyStart, int kyEnd, int kxStart, int kxEnd,
            bool clamp, float min, float max) : IChannelOp
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public TV Compute<TS, TV>(int c) where TS : ISimd<TV> where TV : unmanaged
            {
                TV result = TS.Splat(float.NaN); // an empty window
                bool first = true;
                for (int ky = kyStart; ky < kyEnd; ky++)
                {
                    float* tapRow = window + ky * rowStride + c;
                    for (int kx = kxStart; kx < kxEnd; kx++)
                    {
                        TV v = TS.Load(tapRow + (long)kx * depth);
                        result = first ? v : TS.Select(TS.Or(TS.GreaterThan(v, result), TS.IsNaN(v)), v, result);
                        first = false;
                    }
                }
                return clamp ? VectorClamp.Apply<TS, TV>(result, TS.Splat(min), TS.Splat(max)) : result;
            }
        }
    }
}
