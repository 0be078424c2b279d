using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// QUANTIZE on the CPU delegate: float32 → int8/uint8/int16 per element (<see cref="QuantizeFloatCpuNode"/>),
/// int8/uint8 → int8/uint8 as a 256-entry table of the reference's requantization and int16 → int16/int8 as a
/// 65,536-entry one (<see cref="Int16TableCpuNode{T}"/>), each entry the reference kernel's own result: every pair
/// the definition accepts.
/// </summary>
[OpCodes(BuiltinOperator.Quantize)]
internal sealed class QuantizeCpuKernel : CpuKernel<QuantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Quantize];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, QuantizeParams p)
    {
        var (input, output) = (node.Inputs[0]!.Type, node.Outputs[0].Type);
        bool eightBit = output is TensorType.Int8 or TensorType.UInt8;
        return (input, output) switch
        {
            (TensorType.Float32, _) when eightBit || output == TensorType.Int16 => NodeSupport.Supported,
            (TensorType.Int8 or TensorType.UInt8, _) when eightBit => NodeSupport.Supported,
            (TensorType.Int16, TensorType.Int16 or TensorType.Int8) => NodeSupport.Supported,
            _ => NodeSupport.Refuse($"QUANTIZE {input.ToDisplayName()} → {output.ToDisplayName()} runs on the reference kernel (the CPU kernel takes float32 → int8/uint8/int16, 8-bit → 8-bit and int16 → int16/int8)"),
        };
    }

    protected override ICpuCompiledNode Compile(DelegateNode node, QuantizeParams p)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        return input.Type switch
        {
            TensorType.Float32 => new QuantizeFloatCpuNode(input, output, p),
            TensorType.Int16 when output.Type == TensorType.Int16 => new Int16TableCpuNode<short>(input, output, Accel.Kernels.Reference.QuantizeKernel.Int16Table(p)),
            TensorType.Int16 => new Int16TableCpuNode<byte>(input, output, Accel.Kernels.Reference.QuantizeKernel.Int16ToByteTable(p)),
            _ => new ByteTableCpuNode<byte>(input, output, QuantizedTables.Requantize(input.Type, p)),
        };
    }
}

/// <summary>
/// DEQUANTIZE on the CPU delegate: a per-tensor int8/uint8 input through a 256-entry float table (each entry the
/// reference's scale · (v − zero point)), a per-tensor int16 one in float lanes (<see cref="Int16DequantizeCpuNode"/>),
/// and a per-channel input of any of the three with each channel's scale and zero point in float lanes
/// (<see cref="PerChannelDequantizeCpuNode"/>). float16 runs on the reference (a constant one is folded at allocate time).
/// </summary>
[OpCodes(BuiltinOperator.Dequantize)]
internal sealed class DequantizeCpuKernel : CpuKernel<DequantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Dequantize];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, DequantizeParams p)
    {
        foreach (long zeroPoint in p.ZeroPoints)
            if (Math.Abs(zeroPoint) > Int16DequantizeCpuNode.MaxZeroPoint)
                return NodeSupport.Refuse($"input '{node.Inputs[0]!.Name}' has zero point {zeroPoint}; the CPU kernel of DEQUANTIZE takes |zero point| ≤ {Int16DequantizeCpuNode.MaxZeroPoint} (q − z exact in float32)");
        return NodeSupport.Supported;
    }

    protected override ICpuCompiledNode Compile(DelegateNode node, DequantizeParams p)
    {
        var input = node.Inputs[0]!;
        if (p.Channels != 1) return new PerChannelDequantizeCpuNode(input, node.Outputs[0], p);
        return input.Type == TensorType.Int16
            ? new Int16DequantizeCpuNode(input, node.Outputs[0], p.Scales[0], p.ZeroPoints[0])
            : new ByteTableCpuNode<float>(input, node.Outputs[0], p.Scales[0], p.ZeroPoints[0], input.Type == TensorType.Int8);
    }
}
