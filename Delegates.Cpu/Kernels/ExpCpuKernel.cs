using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>EXP, float32: SpecMath.Exp per element, vectorized (VectorSpecMath.Exp); int8 and int16 by table.</summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpCpuKernel : UnaryElementwiseKernel<ExpOp>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];

    // int8: the definition's 256-entry table; int16: its 513-entry interpolated table expanded to every input (UnaryElementwiseKernel).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    // Cheaper than LOGISTIC (no reciprocal): worth splitting from some 16K elements per thread on.
    protected override int MinPerThread => 16 * 1024;
}

internal readonly struct ExpOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Exp<TS, TV>(x);
}
