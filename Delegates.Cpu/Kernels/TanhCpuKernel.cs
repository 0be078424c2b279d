using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>TANH, float32: SpecMath.Tanh per element, vectorized (VectorActivationMath.Tanh).</summary>
[OpCodes(BuiltinOperator.Tanh)]
internal sealed class TanhCpuKernel : UnaryElementwiseKernel<TanhOp>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Tanh];

    // int8/uint8: the definition's 256-entry table; int16x8: a 65,536-entry table the reference kernel fills (UnaryElementwiseKernel).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    // Costlier than LOGISTIC (Expm1 and Exp both run per lane): split from some 4K elements per thread on.
    protected override int MinPerThread => 4 * 1024;
}

internal readonly struct TanhOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorActivationMath.Tanh<TS, TV>(x);
}
