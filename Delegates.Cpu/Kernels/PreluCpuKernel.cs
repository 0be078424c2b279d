using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// PRELU, float32: <c>x ≥ 0 ? x : x · alpha</c> with alpha broadcast against the input, as the reference: an ordered
/// compare and a bitwise select (NaN fails the compare and gives NaN · alpha; −0 passes it and stays −0). int8/uint8:
/// <see cref="Quantized.QuantizedPreluCpuNode"/>, TFLite's integer PRELU 8 lanes at a time.
/// </summary>
[OpCodes(BuiltinOperator.Prelu)]
internal sealed class PreluCpuKernel : CpuKernel<PreluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Prelu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override ICpuCompiledNode Compile(DelegateNode node, PreluParams p) =>
        p.Quantized is not null
            ? new Quantized.QuantizedPreluCpuNode(node.Inputs[0]!, node.Inputs[1]!, node.Outputs[0], p, Quantized.QuantizedIsas.Best(false))
            : LaneKernels.Binary<float, PreluOp>(node);
}

internal readonly struct PreluOp : ILaneOp2<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x, float alpha) => x >= 0f ? x : x * alpha;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Apply(Vector128<float> x, Vector128<float> alpha) =>
        Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, Vector128<float>.Zero), x, x * alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> x, Vector256<float> alpha) =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), x, x * alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> x, Vector512<float> alpha) =>
        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), x, x * alpha);
}
