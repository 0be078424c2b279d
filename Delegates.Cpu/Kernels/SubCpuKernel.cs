using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>SUB, float32: out = clamp(a − b) with broadcasting; one rounded subtraction per element.</summary>
internal sealed class SubCpuKernel : BinaryElementwiseKernel<SubOp>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sub];
}

internal readonly struct SubOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged => TS.Subtract(a, b);
}
