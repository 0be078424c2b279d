using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LOG, float32: SpecMath.Log per element, vectorized (VectorSpecMath.Log).</summary>
[OpCodes(BuiltinOperator.Log)]
internal sealed class LogCpuKernel : UnaryElementwiseKernel<LogOp>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Log];

    // About twice EXP's work per element (a reciprocal and two polynomials).
    protected override int MinPerThread => 8 * 1024;
}

internal readonly struct LogOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Log<TS, TV>(x);
}
