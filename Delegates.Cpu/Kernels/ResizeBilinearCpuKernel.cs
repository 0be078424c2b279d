using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// RESIZE_BILINEAR, float32 NHWC, vectorized across channels (int8/uint8: <see cref="Quantized.QuantizedResizeBilinearCpuNode"/>; int16: <see cref="Quantized.Int16ResizeBilinearCpuNode"/>). Source coordinates, neighbours and weights are the
/// definition's <see cref="ResizeBilinearAxis"/> tables (the reference's float operations: scale = one float division;
/// in = half_pixel_centers ? (o + 0.5)·scale − 0.5 : o·scale; y0 = max(floor(in), 0); y1 = min(ceil(in), H − 1)); per output element the
/// reference's expression tl·(1−dy)·(1−dx) + bl·dy·(1−dx) + tr·(1−dy)·dx + br·dy·dx is evaluated left to right with
/// every product and sum separately rounded (no FMA), where dy = in − y0 and the factors are the same floats.
/// </summary>
[OpCodes(BuiltinOperator.ResizeBilinear)]
internal sealed class ResizeBilinearCpuKernel : CpuKernel<ResizeBilinearParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeBilinear];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ResizeBilinearParams p) =>
        p.Quantized is { } q
        && (node.Inputs[0]!.Type == TensorType.Int16
            ? Quantized.Int16ResizeBilinearCpuNode.Refusal(node.Inputs[0]!, node.Outputs[0], p, q)
            : Quantized.QuantizedResizeBilinearCpuNode.Refusal(node.Inputs[0]!, node.Outputs[0], p, q)) is { } reason
            ? NodeSupport.Refuse(reason)
            : NodeSupport.Supported;

    /// <summary>
    /// A run-time size: the definition checks its values at Invoke and sizes the output, then this kernel compiles for
    /// them (float32, int8 and uint8, as with a constant size). An int16 one stays on the reference: the int16 kernel's
    /// row bound is known only at Invoke.
    /// </summary>
    protected override NodeSupport SupportsParamsAtInvoke(DelegateNode node) =>
        node.Inputs[0]!.Type == TensorType.Int16
            ? NodeSupport.Refuse("an int16 RESIZE_BILINEAR with a run-time size runs on the reference kernel (the CPU kernel's row bound is checked at compile time)")
            : NodeSupport.Supported;

    // A run-time size reaches Compile only after the definition accepted it: every integer source position inside the
    // input (ResizeBilinearDefinition), which is also all the vector kernel's Refusal asks.
    protected override ICpuCompiledNode Compile(DelegateNode node, ResizeBilinearParams p) =>
        p.Quantized is { } q && node.Inputs[0]!.Type == TensorType.Int16 ? new Quantized.Int16ResizeBilinearCpuNode(node.Inputs[0]!, node.Outputs[0], p, q) :
        p.Quantized is { } q8
            ? new Quantized.QuantizedResizeBilinearCpuNode(node.Inputs[0]!, node.Outputs[0], p, q8, Quantized.QuantizedIsas.Best(false))
            : new ResizeBilinearNode(node.Inputs[0]!, node.Outputs[0], p.Rows, p.Columns);

    private sealed unsafe class ResizeBilinearNode(Tensor input, Tensor output, ResizeBilinearAxis rows, ResizeBilinearAxis columns) : ICpuCompiledNode
    {
        private readonly SimdWidth _width = SimdWidths.Current;
        private readonly int _minRows = (int)Math.Clamp(64 * 1024 / Math.Max(1L, (long)output.Dim(2) * output.Dim(3)), 1, int.MaxValue);

        // 8 channels on Vector512 (BlazePose's segmentation head): pairs of output pixels as one vector (RowsInPairs8).
        private readonly ColumnPairs? _pairs = ColumnPairs.For(input.Dim(3), columns);

        /// <summary>
        /// Two neighbouring output pixels whose source columns are neighbours too fill one vector with 8 channels (one
        /// 16-float load per corner). Per column x: whether x and x + 1 pair that way (<see cref="Flags"/>), and their
        /// weights [LowerWeight[x] ×8, LowerWeight[x + 1] ×8, UpperWeight[x] ×8, UpperWeight[x + 1] ×8] (<see cref="Weights"/>).
        /// </summary>
        private sealed class ColumnPairs
        {
            public readonly byte[] Flags; // pinned
            public readonly PinnedFloats Weights;

            private ColumnPairs(ResizeBilinearAxis columns)
            {
                int width = columns.OutputSize;
                Flags = GC.AllocateArray<byte>(width, pinned: true);
                for (int x = 0; x + 1 < width; x++)
                    Flags[x] = (byte)(columns.Lower[x + 1] == columns.Lower[x] + 1 && columns.Upper[x + 1] == columns.Upper[x] + 1 ? 1 : 0);
                Weights = new PinnedFloats(width * 32);
                for (int x = 0; x < width; x++)
                    for (int lane = 0; lane < 16; lane++)
                    {
                        int column = Math.Min(x + lane / 8, width - 1);
                        Weights.Span[x * 32 + lane] = columns.LowerWeight[column];
                        Weights.Span[x * 32 + 16 + lane] = columns.UpperWeight[column];
                    }
            }

            /// <summary>The tables for 8 channels on the Vector512 path, else null.</summary>
            public static ColumnPairs? For(int depth, ResizeBilinearAxis columns) =>
                depth == 8 && SimdWidths.Current == SimdWidth.W512 ? new ColumnPairs(columns) : null;
        }

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        {
            switch (s.Simd)
            {
                case SimdWidth.W512 when s.Pairs != null: RowsInPairs8(s, start, end); break;
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
                input.Dim(3), _width, _pairs is null ? null : (byte*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_pairs.Flags)),
                _pairs is null ? null : _pairs.Weights.Pointer);
            Chunked.For(pool, output.Dim(0) * output.Dim(1), _minRows, state, Work);
        }

        private readonly struct State(float* input, float* output, ResizeBilinearAxis rows, ResizeBilinearAxis columns, int height, int width, int depth,
            SimdWidth simd, byte* pairs, float* pairWeights)
        {
            public byte* Pairs => pairs;
            public float* PairWeights => pairWeights;
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
        /// 8 channels on Vector512: where columns x and x + 1 read neighbouring source columns, both pixels as one vector
        /// (lanes 0–7 pixel x, 8–15 pixel x + 1) through <see cref="BlendPixel"/>'s expression with per-lane column
        /// weights (<see cref="ColumnPairs"/>), so each lane's operations are the single pixel's; other pixels one at a time
        /// as in <see cref="Rows"/>. A loop of its own: the pair branch inside <see cref="Rows"/> measured ~5–15 % slower.
        /// </summary>
        [MethodImpl(JitHints.Hot)]
        private static void RowsInPairs8(in State s, int start, int end)
        {
            const int depth = 8;
            int outputHeight = s.RowAxis.OutputSize, outputWidth = s.ColumnAxis.OutputSize;
            var lower = s.ColumnAxis.Lower;
            var upper = s.ColumnAxis.Upper;
            for (int row = start; row < end; row++)
            {
                int b = row / outputHeight, y = row % outputHeight;
                float* row0 = s.Input + (long)(b * s.Height + s.RowAxis.Lower[y]) * s.Width * depth;
                float* row1 = s.Input + (long)(b * s.Height + s.RowAxis.Upper[y]) * s.Width * depth;
                float wy0 = s.RowAxis.LowerWeight[y], wy1 = s.RowAxis.UpperWeight[y];
                var vy0 = Vector512.Create(wy0);
                var vy1 = Vector512.Create(wy1);
                float* o = s.Output + (long)row * outputWidth * depth;
                for (int x = 0; x < outputWidth;)
                {
                    long x0 = (long)lower[x] * depth, x1 = (long)upper[x] * depth;
                    if (s.Pairs[x] != 0)
                    {
                        float* weights = s.PairWeights + (nint)x * 32;
                        var vx0 = Vector512.Load(weights);
                        var vx1 = Vector512.Load(weights + 16);
                        var sum = Vector512.Load(row0 + x0) * vy0 * vx0;
                        sum += Vector512.Load(row1 + x0) * vy1 * vx0;
                        sum += Vector512.Load(row0 + x1) * vy0 * vx1;
                        sum += Vector512.Load(row1 + x1) * vy1 * vx1;
                        sum.Store(o + (nint)x * depth);
                        x += 2;
                        continue;
                    }
                    ChannelLoop.Run<BlendPixel, Simd512, Vector512<float>>(new BlendPixel(row0 + x0, row1 + x0, row0 + x1, row1 + x1, wy0, wy1,
                        s.ColumnAxis.LowerWeight[x], s.ColumnAxis.UpperWeight[x]), o + (nint)x * depth, depth);
                    x++;
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
