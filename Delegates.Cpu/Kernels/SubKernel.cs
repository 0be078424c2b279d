using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>SUB, float32: out = clamp(a − b) with broadcasting; one rounded subtraction per element.</summary>
internal sealed class SubOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) =>
        BinaryElementwise.Supports(node, (node.Options as SubOptions)?.FusedActivation);

    public ICpuKernel Compile(DelegateNode node) =>
        BinaryElementwise.Compile<SubOp>(node, (node.Options as SubOptions)?.FusedActivation);
}

internal readonly struct SubOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged => TS.Subtract(a, b);
}
