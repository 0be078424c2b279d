using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>ADD, float32: out = clamp(a + b) with broadcasting; one rounded addition per element, a first.</summary>
internal sealed class AddOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) =>
        BinaryElementwise.Supports(node, (node.Options as AddOptions)?.FusedActivation);

    public ICpuKernel Compile(DelegateNode node) =>
        BinaryElementwise.Compile<AddOp>(node, (node.Options as AddOptions)?.FusedActivation);
}

internal readonly struct AddOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged => TS.Add(a, b);
}
