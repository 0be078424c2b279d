using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LOGISTIC, float32: SpecMath.Logistic per element, vectorized (VectorSpecMath.Logistic).</summary>
internal sealed class LogisticOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) => UnaryElementwise.Supports(node);

    // Roughly 40 vector operations per element: worth splitting from a few thousand elements on.
    public ICpuKernel Compile(DelegateNode node) =>
        new UnaryElementwiseKernel<LogisticOp>(node, default, 4 * 1024);
}

internal readonly struct LogisticOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Logistic<TS, TV>(x);
}
