using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SIN, float32: SpecMath.Sin per element (VectorSpecMath.Sin: the exact integer argument reduction lane by lane, the
/// polynomials, quadrant choice and signs vectorized), split over the pool.
/// </summary>
[OpCodes(BuiltinOperator.Sin)]
internal sealed class SinCpuKernel : UnaryElementwiseKernel<SinOp>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sin];

    protected override int MinPerThread => 4 * 1024;
}

internal readonly struct SinOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Sin<TS, TV>(x);
}
