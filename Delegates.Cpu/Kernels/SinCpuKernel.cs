using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SIN, float32: SpecMath.Sin per element (VectorSpecMath.Sin: the exact integer argument reduction lane by lane, the
/// polynomials, quadrant choice and signs vectorized), split over the pool.
/// </summary>
[OpCodes(BuiltinOperator.Sin)]
internal sealed class SinCpuKernel : UnaryElementwiseKernel<SinOp>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sin];

    protected override int MinPerThread => 4 * 1024;
}

internal readonly struct SinOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Sin<TS, TV>(x);
}
