using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// RSQRT, float32: SpecMath.Rsqrt per lane — the correctly rounded square root, then one correctly rounded division
/// of 1 by it (never rsqrtps, an approximation), so every width gives the reference's bits; through the lane engine.
/// int8: the definition's table of TFLite's fixed-point form; int16: its 513-entry interpolated table expanded to every
/// input (the reference's lookup per value); both after the domain check.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) =>
        p.QuantizedInputMinimum is { } minimum
            ? new NonNegativeInputNode(node, minimum, "RSQRT", QuantizedLookupNodes.Table(node, p))
            : LaneKernels.Unary<float, RsqrtOp>(node);
}

internal readonly struct RsqrtOp : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => 1f / MathF.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<float> Apply(Vector128<float> x) => Vector128<float>.One / Vector128.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Apply(Vector256<float> x) => Vector256<float>.One / Vector256.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Apply(Vector512<float> x) => Vector512<float>.One / Vector512.Sqrt(x);
}
