using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// QUANTIZE on the CPU delegate: float32 → int8/uint8 per element (<see cref="QuantizeFloatCpuNode"/>) and
/// int8/uint8 → int8/uint8 as a 256-entry table of the reference's requantization. int16 runs on the reference.
/// </summary>
[OpCodes(BuiltinOperator.Quantize)]
internal sealed class QuantizeCpuKernel : CpuKernel<QuantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Quantize];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, QuantizeParams p) =>
        node.Outputs[0].Type is TensorType.Int8 or TensorType.UInt8
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"output '{node.Outputs[0].Name}' is {node.Outputs[0].Type.ToDisplayName()}; the CPU kernel of QUANTIZE writes int8 and uint8");

    protected override ICpuCompiledNode Compile(DelegateNode node, QuantizeParams p)
    {
        var input = node.Inputs[0]!;
        return input.Type == TensorType.Float32
            ? new QuantizeFloatCpuNode(input, node.Outputs[0], p)
            : new ByteTableCpuNode<byte>(input, node.Outputs[0], QuantizedTables.Requantize(input.Type, p));
    }
}

/// <summary>
/// DEQUANTIZE on the CPU delegate: a per-tensor int8/uint8 input through a 256-entry float table (each entry the
/// reference's scale · (v − zero point)). Per-channel inputs, int16 and float16 run on the reference.
/// </summary>
[OpCodes(BuiltinOperator.Dequantize)]
internal sealed class DequantizeCpuKernel : CpuKernel<DequantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Dequantize];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, DequantizeParams p) =>
        p.Channels == 1
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"input '{node.Inputs[0]!.Name}' is quantized per channel ({p.Channels} scales); the CPU kernel of DEQUANTIZE takes one scale");

    protected override ICpuCompiledNode Compile(DelegateNode node, DequantizeParams p)
    {
        var input = node.Inputs[0]!;
        return new ByteTableCpuNode<float>(input, node.Outputs[0], p.Scales[0], p.ZeroPoints[0], input.Type == TensorType.Int8);
    }
}
