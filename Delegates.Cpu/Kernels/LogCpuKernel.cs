using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LOG, float32: SpecMath.Log per element, split over the pool (ScalarMapKernel).</summary>
internal sealed class LogCpuKernel : ScalarMapKernel<LogFunction>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Log];

    protected override int MinPerThread => 4 * 1024;
}

internal readonly struct LogFunction : IScalarFunction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float x) => SpecMath.Log(x);
}
