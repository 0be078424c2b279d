using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>COS, float32: SpecMath.Cos (exact integer argument reduction) per element, split over the pool (ScalarMapKernel).</summary>
internal sealed class CosCpuKernel : ScalarMapKernel<CosFunction>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Cos];

    protected override int MinPerThread => 4 * 1024;
}

internal readonly struct CosFunction : IScalarFunction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float x) => SpecMath.Cos(x);
}
