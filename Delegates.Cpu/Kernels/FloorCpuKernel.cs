using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>FLOOR, float32: floor(x) (roundps toward −∞; ±0, ±∞ and NaN unchanged), as the reference's MathF.Floor.</summary>
[OpCodes(BuiltinOperator.Floor)]
internal sealed class FloorCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Floor];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => LaneKernels.Unary<float, FloorOp>(node);
}

internal readonly struct FloorOp : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => MathF.Floor(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<float> Apply(Vector128<float> x) => Vector128.Floor(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Apply(Vector256<float> x) => Vector256.Floor(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Apply(Vector512<float> x) => Vector512.Floor(x);
}
