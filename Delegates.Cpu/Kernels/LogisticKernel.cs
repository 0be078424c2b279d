using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LOGISTIC, float32: SpecMath.Logistic per element, vectorized (VectorSpecMath.Logistic).</summary>
internal sealed class LogisticOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) => UnaryElementwise.Supports(node);

    // About 2 ns per element on one AVX2 core: worth splitting from some 8K elements per thread on.
    public ICpuKernel Compile(DelegateNode node) =>
        new UnaryElementwiseKernel<LogisticOp>(node, default, 8 * 1024);
}

internal readonly struct LogisticOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Logistic<TS, TV>(x);
}
