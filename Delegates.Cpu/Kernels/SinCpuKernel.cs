using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>SIN, float32: SpecMath.Sin (exact integer argument reduction) per element, split over the pool (ScalarMapKernel).</summary>
internal sealed class SinCpuKernel : ScalarMapKernel<SinFunction>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sin];

    protected override int MinPerThread => 4 * 1024;
}

internal readonly struct SinFunction : IScalarFunction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float x) => SpecMath.Sin(x);
}
