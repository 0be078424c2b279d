using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LEAKY_RELU, float32: <c>x &gt; 0 ? x : x · alpha</c> per element, as the reference (one rounded multiply).</summary>
[OpCodes(BuiltinOperator.LeakyRelu)]
internal sealed class LeakyReluCpuKernel : CpuKernel<LeakyReluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LeakyRelu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    // int8/uint8: the definition's 256-entry table, indexed by the input byte (the reference's own); int16: a 65,536-entry
    // table of the reference's results.
    protected override ICpuCompiledNode Compile(DelegateNode node, LeakyReluParams p) =>
        p.Int16Activation is { } int16 ? new Quantized.Int16TableCpuNode<short>(node.Inputs[0]!, node.Outputs[0], int16.Tabulate()) :
        p.QuantizedTable.IsEmpty
            ? new UnaryElementwiseNode<LeakyReluOp>(node, new LeakyReluOp(p.Alpha), minPerThread: 64 * 1024)
            : new Quantized.ByteTableCpuNode<byte>(node.Inputs[0]!, node.Outputs[0], p.QuantizedTable.ToArray());
}

internal readonly struct LeakyReluOp(float alpha) : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged =>
        TS.Select(TS.GreaterThan(x, TS.Splat(0f)), x, TS.Multiply(x, TS.Splat(alpha)));
}
