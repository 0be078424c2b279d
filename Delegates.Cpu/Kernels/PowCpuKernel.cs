using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// POW, float32: SpecMath.Pow per output element with broadcasting, through the lane engine (its broadcasting rows and
/// its split over the pool), vectorized (VectorSpecMath.Pow: every lane the reference's bits). int32 POW stays on the
/// reference, which checks the exponents' signs at Invoke.
/// </summary>
internal sealed class PowCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Pow];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) =>
        LaneKernels.Binary<float, PowOp>(node);
}

internal readonly struct PowOp : ILaneOp2<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float a, float b) => SpecMath.Pow(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Apply(Vector128<float> a, Vector128<float> b) => VectorSpecMath.Pow<Simd128, Vector128<float>>(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => VectorSpecMath.Pow<Simd256, Vector256<float>>(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> a, Vector512<float> b) => VectorSpecMath.Pow<Simd512, Vector512<float>>(a, b);
}
