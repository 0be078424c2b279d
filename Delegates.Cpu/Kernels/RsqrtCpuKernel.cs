using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// RSQRT, float32: SpecMath.Rsqrt per lane — the correctly rounded square root, then one correctly rounded division
/// of 1 by it (never rsqrtps, an approximation), so every width gives the reference's bits; through the lane engine.
/// int8: the definition's table of TFLite's fixed-point form after the domain check.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) =>
        p.QuantizedInputMinimum is { } minimum
            ? new RsqrtInt8Node(node, minimum, new Quantized.ByteTableCpuNode<byte>(node.Inputs[0]!, node.Outputs[0], p.QuantizedTable.ToArray()))
            : LaneKernels.Unary<float, RsqrtOp>(node);

    /// <summary>
    /// RSQRT int8: every input checked first (below the zero point: the reference's KernelException, nothing written),
    /// then the definition's table.
    /// </summary>
    private sealed class RsqrtInt8Node(DelegateNode node, int minimum, ICpuCompiledNode table) : ICpuCompiledNode
    {
        public void Run(CpuThreadPool pool)
        {
            ReadOnlySpan<byte> input = node.Inputs[0]!.Bytes;
            for (int i = 0; i < input.Length; i++)
                if ((sbyte)input[i] < minimum)
                    throw new KernelException(node.Index, node.Op.Name,
                        $"input element {i} is {(sbyte)input[i]}, below the zero point {minimum}: RSQRT is only defined for non-negative values");
            table.Run(pool);
        }
    }
}

internal readonly struct RsqrtOp : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => 1f / MathF.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<float> Apply(Vector128<float> x) => Vector128<float>.One / Vector128.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Apply(Vector256<float> x) => Vector256<float>.One / Vector256.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Apply(Vector512<float> x) => Vector512<float>.One / Vector512.Sqrt(x);
}
