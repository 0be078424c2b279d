using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>HARD_SWISH, float32: SpecMath.HardSwish per element, vectorized (VectorSpecMath.HardSwish).</summary>
internal sealed class HardSwishCpuKernel : UnaryElementwiseKernel<HardSwishOp>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.HardSwish];
}

internal readonly struct HardSwishOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.HardSwish<TS, TV>(x);
}
