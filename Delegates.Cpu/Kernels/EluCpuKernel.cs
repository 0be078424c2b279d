using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>ELU, float32: <c>x &lt; 0 ? Expm1(x) : x</c> per element, vectorized (VectorActivationMath.Expm1).</summary>
[OpCodes(BuiltinOperator.Elu)]
internal sealed class EluCpuKernel : UnaryElementwiseKernel<EluOp>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Elu];

    // int8: the definition's 256-entry table (UnaryElementwiseKernel).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];

    protected override int MinPerThread => 8 * 1024;
}

internal readonly struct EluOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged =>
        TS.Select(TS.LessThan(x, TS.Splat(0f)), VectorActivationMath.Expm1<TS, TV>(x), x);
}
