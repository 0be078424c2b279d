using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LOGISTIC, float32 (int8/uint8 through the definition's lookup table; int16x8 through a 65,536-entry table the reference kernel fills): SpecMath.Logistic per element, vectorized (VectorSpecMath.Logistic).</summary>
[OpCodes(BuiltinOperator.Logistic)]
internal sealed class LogisticCpuKernel : UnaryElementwiseKernel<LogisticOp>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Logistic];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];


    // About 2 ns per element on one AVX2 core: worth splitting from some 8K elements per thread on.
    protected override int MinPerThread => 8 * 1024;
}

internal readonly struct LogisticOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Logistic<TS, TV>(x);
}
