using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// GELU, float32: SpecMath.GeluExact or, with approximate, SpecMath.GeluApproximate per element, vectorized
/// (VectorErfMath) and bit-exact with the reference at every width.
/// </summary>
[OpCodes(BuiltinOperator.Gelu)]
internal sealed class GeluCpuKernel : CpuKernel<GeluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Gelu];

    // Erfc runs Exp, a reciprocal and three polynomials per lane (the tanh form Expm1, Exp and a reciprocal): costlier
    // than TANH, so split from fewer elements per thread.
    private const int MinPerThread = 2 * 1024;

    // int8/uint8: the definition's 256-entry table.
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override ICpuCompiledNode Compile(DelegateNode node, GeluParams p) =>
        !p.QuantizedTable.IsEmpty ? new Quantized.ByteTableCpuNode<byte>(node.Inputs[0]!, node.Outputs[0], p.QuantizedTable.ToArray()) :
        p.Approximate
            ? new UnaryElementwiseNode<GeluApproximateOp>(node, default, MinPerThread)
            : new UnaryElementwiseNode<GeluExactOp>(node, default, MinPerThread);
}

internal readonly struct GeluExactOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorErfMath.GeluExact<TS, TV>(x);
}

internal readonly struct GeluApproximateOp : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => VectorErfMath.GeluApproximate<TS, TV>(x);
}
