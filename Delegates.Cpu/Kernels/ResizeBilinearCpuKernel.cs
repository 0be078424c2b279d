using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// RESIZE_BILINEAR, float32 NHWC, vectorized across channels (int8/uint8: <see cref="Quantized.QuantizedResizeBilinearCpuNode"/>). Source coordinates, neighbours and weights are the
/// definition's <see cref="ResizeBilinearAxis"/> tables (the reference's float operations: scale = one float division;
/// in = half_pixel_centers ? (o + 0.5)·scale − 0.5 : o·scale; y0 = max(floor(in), 0); y1 = min(ceil(in), H − 1)); per output element the
/// reference's expression tl·(1−dy)·(1−dx) + bl·dy·(1−dx) + tr·(1−dy)·dx + br·dy·dx is evaluated left to right with
/// every product and sum separately rounded (no FMA), where dy = in − y0 and the factors are the same floats.
/// </summary>
[OpCodes(BuiltinOperator.ResizeBilinear)]
internal sealed class ResizeBilinearCpuKernel : CpuKernel<ResizeBilinearParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeBilinear];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, ResizeBilinearParams p) =>
        p.Quantized is { } q && Quantized.QuantizedResizeBilinearCpuNode.Refusal(node.Inputs[0]!, node.Outputs[0], p, q) is { } reason
            ? NodeSupport.Refuse(reason)
            : NodeSupport.Supported;

    /// <summary>
    /// A run-time size: the definition checks its values at Invoke and sizes the output, then this kernel compiles for
    /// them (<see cref="Types"/> already keeps the node to float32, int8 and uint8, as with a constant size).
    /// </summary>
    protected override NodeSupport SupportsParamsAtInvoke(DelegateNode node) => NodeSupport.Supported;

    // A run-time size reaches Compile only after the definition accepted it: every integer source position inside the
    // input (ResizeBilinearDefinition), which is also all the vector kernel's Refusal asks.
    protected override ICpuCompiledNode Compile(DelegateNode node, ResizeBilinearParams p) =>
        p.Quantized is { } q
            ? new Quantized.QuantizedResizeBilinearCpuNode(node.Inputs[0]!, node.Outputs[0], p, q, Quantized.QuantizedIsas.Best(false))
            : new ResizeBilinearNode(node.Inputs[0]!, node.Outputs[0], p.Rows, p.Columns);

    private sealed unsafe class ResizeBilinearNode(Tensor input, Tensor output, ResizeBilinearAxis rows, ResizeBilinearAxis columns) : ICpuCompiledNode
    {
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _minRows = (int)Math.Clamp(64 * 1024 / Math.Max(1L, (long)output.Dim(2) * output.Dim(3)), 1, int.MaxValue);

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        {
            switch (s.Simd)
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
            var state = new State(TensorData.Read(input), TensorData.Write(output), rows, columns, input.Dim(1), input.Dim(2),
                input.Dim(3), _width);
            Chunked.For(pool, output.Dim(0) * output.Dim(1), _minRows, state, Work);
        }

        private readonly struct State(float* input, float* output, ResizeBilinearAxis rows, ResizeBilinearAxis columns, int height, int width, int depth,
            SimdWidth simd)
        {
            public float* Input => input;
            public float* Output => output;
            public ResizeBilinearAxis RowAxis => rows;
            public ResizeBilinearAxis ColumnAxis => columns;
            public int Height => height;
            public int Width => width;
            public int Depth => depth;
            public SimdWidth Simd => simd;
        }

        [MethodImpl(JitHints.Hot)]
        private static void Rows<TS, TV>(in State s, int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            int outputHeight = s.RowAxis.OutputSize, outputWidth = s.ColumnAxis.OutputSize, depth = s.Depth;
            for (int row = start; row < end; row++)
            {
                int b = row / outputHeight, y = row % outputHeight;
                float* row0 = s.Input + (long)(b * s.Height + s.RowAxis.Lower[y]) * s.Width * depth;
                float* row1 = s.Input + (long)(b * s.Height + s.RowAxis.Upper[y]) * s.Width * depth;
                float wy0 = s.RowAxis.LowerWeight[y], wy1 = s.RowAxis.UpperWeight[y];
                float* o = s.Output + (long)row * outputWidth * depth;
                for (int x = 0; x < outputWidth; x++, o += depth)
                {
                    long x0 = (long)s.ColumnAxis.Lower[x] * depth, x1 = (long)s.ColumnAxis.Upper[x] * depth;
                    float wx0 = s.ColumnAxis.LowerWeight[x], wx1 = s.ColumnAxis.UpperWeight[x];
                    ChannelLoop.Run<BlendPixel, TS, TV>(new BlendPixel(row0 + x0, row1 + x0, row0 + x1, row1 + x1, wy0, wy1, wx0, wx1), o, depth);
                }
            }
        }

        /// <summary>
        /// One output pixel for a run of channels: ((tl·wy0)·wx0 + (bl·wy1)·wx0) + (tr·wy0)·wx1 + (br·wy1)·wx1, left to
        /// right, each operation rounded.
        /// </summary>
        private readonly struct BlendPixel(float* topLeft, float* bottomLeft, float* topRight, float* bottomRight,
            float wy0, float wy1, float wx0, float wx1) : IChannelOp
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public TV Compute<TS, TV>(int c) where TS : ISimd<TV> where TV : unmanaged
            {
                TV vy0 = TS.Splat(wy0), vy1 = TS.Splat(wy1), vx0 = TS.Splat(wx0), vx1 = TS.Splat(wx1);
                TV sum = TS.Multiply(TS.Multiply(TS.Load(topLeft + c), vy0), vx0);
                sum = TS.Add(sum, TS.Multiply(TS.Multiply(TS.Load(bottomLeft + c), vy1), vx0));
                sum = TS.Add(sum, TS.Multiply(TS.Multiply(TS.Load(topRight + c), vy0), vx1));
                return TS.Add(sum, TS.Multiply(TS.Multiply(TS.Load(bottomRight + c), vy1), vx1));
            }
        }
    }
}
