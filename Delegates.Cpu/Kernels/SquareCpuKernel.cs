using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>SQUARE, float32: x · x, one rounded product (no FMA), as the reference.</summary>
[OpCodes(BuiltinOperator.Square)]
internal sealed class SquareCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Square];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => LaneKernels.Unary<float, SquareOp>(node);
}

internal readonly struct SquareOp : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => x * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<float> Apply(Vector128<float> x) => x * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Apply(Vector256<float> x) => x * x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Apply(Vector512<float> x) => x * x;
}
