using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SQRT, float32: the correctly rounded IEEE square root per lane (sqrtss/sqrtps and their wider forms are all
/// correctly rounded, so every width gives the reference's bits), through the lane engine. int8: the definition's table;
/// int16: a 65,536-entry table of the reference's per-element step; both after the domain check.
/// </summary>
[OpCodes(BuiltinOperator.Sqrt)]
internal sealed class SqrtCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sqrt];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) =>
        p.QuantizedInputMinimum is { } minimum
            ? new NonNegativeInputNode(node, minimum, "SQRT", QuantizedLookupNodes.Table(node, p))
            : LaneKernels.Unary<float, SqrtOp>(node);
}

internal readonly struct SqrtOp : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => MathF.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<float> Apply(Vector128<float> x) => Vector128.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Apply(Vector256<float> x) => Vector256.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Apply(Vector512<float> x) => Vector512.Sqrt(x);
}
