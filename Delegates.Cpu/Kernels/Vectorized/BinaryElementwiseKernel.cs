using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// ADD/SUB/MUL engine: out = clamp(op(a, b)) per output element with NumPy broadcasting, vectorized along the
/// collapsed innermost rows, split over the pool by rows (or by row segments when there are few long rows).
/// </summary>
internal sealed unsafe class BinaryElementwiseNode<TOp> : ICpuCompiledNode where TOp : struct, IBinaryOp
{
    /// <summary>Element-wise work below this many elements per thread is not worth a hand-off.</summary>
    private const int MinElementsPerThread = 64 * 1024;

    /// <summary>Long rows are cut into segments of at least this many elements so that one row can be shared.</summary>
    private const int SegmentLength = 4096;

    private readonly Tensor _a, _b, _output;
    private readonly BroadcastRows _plan;
    private readonly VectorClamp _clamp;
    private readonly SimdWidth _width;
    private readonly int _segmentsPerRow;
    private readonly int _segmentLength;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.Run(start, end);

    public BinaryElementwiseNode(DelegateNode node, BroadcastRows plan, VectorClamp clamp) : this(node, plan, clamp, node.Outputs[0]) { }

    /// <param name="output">Where the result goes: the node's output, or a fused activation's (ActivationFusion).</param>
    public BinaryElementwiseNode(DelegateNode node, BroadcastRows plan, VectorClamp clamp, Tensor output)
    {
        _a = node.Inputs[0]!;
        _b = node.Inputs[1]!;
        _output = output;
        _plan = plan;
        _clamp = clamp;
        _width = SimdWidths.Current;
        _segmentsPerRow = plan.Rows >= 8 ? 1 : Math.Max(1, plan.RowLength / SegmentLength);
        _segmentLength = (plan.RowLength + _segmentsPerRow - 1) / _segmentsPerRow;
    }

    /// <summary>The node's fused activation (or a following one's, ActivationFusion): what a fused residual pass applies.</summary>
    internal VectorClamp Clamp => _clamp;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_output.ElementCount == 0) return;
        var state = new State(TensorData.Read(_a), TensorData.Read(_b), TensorData.Write(_output), _plan, _clamp, _width,
            _segmentsPerRow, _segmentLength);
        int units = _plan.Rows * _segmentsPerRow;
        int minUnits = Math.Max(1, MinElementsPerThread / Math.Max(1, Math.Min(_segmentLength, _plan.RowLength)));
        Chunked.For(pool, units, minUnits, state, Work);
    }

    private readonly struct State(float* a, float* b, float* output, BroadcastRows plan, VectorClamp clamp, SimdWidth width,
        int segmentsPerRow, int segmentLength)
    {
        public void Run(int start, int end)
        {
            switch (width)
            {
                case SimdWidth.W512: Run<Simd512, Vector512<float>>(start, end); break;
                case SimdWidth.W256: Run<Simd256, Vector256<float>>(start, end); break;
                case SimdWidth.W128: Run<Simd128, Vector128<float>>(start, end); break;
                default: Run<Scalar, float>(start, end); break;
            }
        }

        [MethodImpl(JitHints.Hot)]
        private void Run<TS, TV>(int start, int end) where TS : ISimd<TV> where TV : unmanaged
        {
            var op = default(TOp);
            int rowLength = plan.RowLength, aStep = plan.AStep, bStep = plan.BStep;
            Span<int> index = stackalloc int[Math.Max(1, plan.OuterDims.Length)];
            if (segmentsPerRow == 1)
            {
                // Whole rows: offsets from one division walk, then odometer steps.
                var (aOffset, bOffset) = plan.RowOffsets(start, index);
                for (int row = start; row < end; row++)
                {
                    ElementwiseLoops.Row<TOp, TS, TV>(op, a + aOffset, aStep, b + bOffset, bStep,
                        output + (long)row * rowLength, rowLength, clamp);
                    plan.Advance(index, ref aOffset, ref bOffset);
                }
                return;
            }
            // Few long rows, each cut into segments.
            for (int unit = start; unit < end; unit++)
            {
                int row = unit / segmentsPerRow;
                int from = unit % segmentsPerRow * segmentLength;
                int count = Math.Min(segmentLength, rowLength - from);
                if (count <= 0) continue;
                var (aOffset, bOffset) = plan.RowOffsets(row, index);
                ElementwiseLoops.Row<TOp, TS, TV>(op, a + aOffset + (aStep == 0 ? 0 : from), aStep,
                    b + bOffset + (bStep == 0 ? 0 : from), bStep, output + (long)row * rowLength + from, count, clamp);
            }
        }
    }
}

/// <summary>
/// ADD, SUB and MUL on float32: the definition's broadcast (as the node's final shapes) collapsed into rows, and its
/// fused-activation range.
/// </summary>
internal abstract class BinaryElementwiseKernel<TOp> : CpuKernel<BinaryArithmeticParams>, IFusesFollowingClamp, IFusesChannelPad where TOp : struct, IBinaryOp
{
    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryArithmeticParams p) =>
        new BinaryElementwiseNode<TOp>(node,
            BroadcastRows.Create(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, node.Outputs[0].Shape), new VectorClamp(p.FloatActivation));

    public bool WritesInPlace => true;

    /// <summary>A float32 node without a fused activation of its own: clamp(op(a, b)) into <paramref name="output"/>.</summary>
    public ICpuCompiledNode? CompileWithClamp(DelegateNode node, ActivationRange clamp, Tensor output, ICpuCompiledNode unfused)
    {
        var p = node.ParamsAs<BinaryArithmeticParams>();
        if (node.Inputs[0]!.Type != TensorType.Float32 || node.Outputs[0].Type != TensorType.Float32 || output.Type != TensorType.Float32
            || !VectorClamp.IsIdentityRange(p.FloatActivation))
            return null;
        return new BinaryElementwiseNode<TOp>(node,
            BroadcastRows.Create(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, node.Outputs[0].Shape), new VectorClamp(clamp), output);
    }

    /// <summary>
    /// A float32 node whose operands and output have one shape (no broadcast): op(a, pad(x)) in the operands' order,
    /// clamped by its own activation or, when it has none, by <paramref name="clamp"/>, into <paramref name="output"/>.
    /// </summary>
    public IChannelPaddedPass? CompileWithChannelPad(DelegateNode node, int paddedOperand, Tensor padInput, int padBefore,
        ActivationRange? clamp, Tensor output)
    {
        var p = node.ParamsAs<BinaryArithmeticParams>();
        var result = node.Outputs[0];
        if (node.Inputs[0]!.Type != TensorType.Float32 || result.Type != TensorType.Float32 || output.Type != TensorType.Float32
            || padInput.Type != TensorType.Float32 || p.QuantizedAdd is not null || result.Rank < 1)
            return null;
        if (!node.Inputs[0]!.Shape.SequenceEqual(result.Shape) || !node.Inputs[1]!.Shape.SequenceEqual(result.Shape)) return null;
        if (clamp is not null && !VectorClamp.IsIdentityRange(p.FloatActivation)) return null;
        return new ChannelPaddedBinaryNode<TOp>(node.Inputs[1 - paddedOperand]!, padInput, paddedOperand == 0, padBefore, output,
            new VectorClamp(clamp ?? p.FloatActivation));
    }
}
