using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>CEIL, float32: ceil(x) (roundps toward +∞; x in (−1, 0) → −0; ±0, ±∞ and NaN unchanged), as the reference's MathF.Ceiling.</summary>
[OpCodes(BuiltinOperator.Ceil)]
internal sealed class CeilCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Ceil];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => LaneKernels.Unary<float, CeilOp>(node);
}

internal readonly struct CeilOp : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => MathF.Ceiling(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<float> Apply(Vector128<float> x) => Vector128.Ceiling(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Apply(Vector256<float> x) => Vector256.Ceiling(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Apply(Vector512<float> x) => Vector512.Ceiling(x);
}
