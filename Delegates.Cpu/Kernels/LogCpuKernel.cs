using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LOG, float32: SpecMath.Log per element, vectorized (VectorSpecMath.Log); int8 and int16 by table.</summary>
[OpCodes(BuiltinOperator.Log)]
internal sealed class LogCpuKernel : UnaryElementwiseKernel<LogOp>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Log];

    // int8: the definition's 256-entry table; int16: its 513-entry interpolated table expanded to every input (UnaryElementwiseKernel).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    // About twice EXP's work per element (a reciprocal and two polynomials).
    protected override int MinPerThread => 8 * 1024;
}

internal readonly struct LogOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.Log<TS, TV>(x);
}
