using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>MUL, float32: out = clamp(a · b) with broadcasting; one rounded multiplication per element, a first.</summary>
internal sealed class MulCpuKernel : BinaryElementwiseKernel<MulOp>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Mul];
}

internal readonly struct MulOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged => TS.Multiply(a, b);
}
