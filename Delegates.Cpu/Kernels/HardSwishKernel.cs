using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>HARD_SWISH, float32: SpecMath.HardSwish per element, vectorized (VectorSpecMath.HardSwish).</summary>
internal sealed class HardSwishOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) => UnaryElementwise.Supports(node);

    public ICpuKernel Compile(DelegateNode node) =>
        new UnaryElementwiseKernel<HardSwishOp>(node, default, 64 * 1024);
}

internal readonly struct HardSwishOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.HardSwish<TS, TV>(x);
}
