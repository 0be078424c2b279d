using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>HARD_SWISH, float32 (int8/uint8 through the definition's lookup table): SpecMath.HardSwish per element, vectorized (VectorSpecMath.HardSwish).</summary>
[OpCodes(BuiltinOperator.HardSwish)]
internal sealed class HardSwishCpuKernel : UnaryElementwiseKernel<HardSwishOp>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.HardSwish];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

}

internal readonly struct HardSwishOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorSpecMath.HardSwish<TS, TV>(x);
}
