using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>ADD, float32: out = clamp(a + b) with broadcasting; one rounded addition per element, a first.</summary>
internal sealed class AddCpuKernel : BinaryElementwiseKernel<AddOp>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Add];
}

internal readonly struct AddOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged => TS.Add(a, b);
}
