using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>EXP, float32: SpecMath.Exp per element, vectorized (VectorSpecMath.Exp).</summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpCpuKernel : UnaryElementwiseKernel<ExpOp>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];

    // Cheaper than LOGISTIC (no reciprocal): worth splitting from some 16K elements per thread on.
    protected override int MinPerThread => 16 * 1024;
}

internal readonly struct ExpOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Exp<TS, TV>(x);
}
