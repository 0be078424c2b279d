using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>MUL, float32: out = clamp(a · b) with broadcasting; one rounded multiplication per element, a first.</summary>
internal sealed class MulOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) =>
        BinaryElementwise.Supports(node, (node.Options as MulOptions)?.FusedActivation);

    public ICpuKernel Compile(DelegateNode node) =>
        BinaryElementwise.Compile<MulOp>(node, (node.Options as MulOptions)?.FusedActivation);
}

internal readonly struct MulOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged => TS.Multiply(a, b);
}
