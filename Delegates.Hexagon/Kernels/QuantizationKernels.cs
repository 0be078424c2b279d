using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>
/// QUANTIZE to int8/uint8: from float32 (one correctly rounded binary32 division computed in integers, then halves away
/// from zero; dsp/kernels.c quantize_float()) or between int8 and uint8 (requantization; requantize()).
/// </summary>
[OpCodes(BuiltinOperator.Quantize)]
internal sealed class QuantizeKernel : HexagonKernel<QuantizeParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Quantize];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, QuantizeParams p) =>
        node.Outputs[0].Type is TensorType.Int8 or TensorType.UInt8
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"QUANTIZE: output '{node.Outputs[0].Name}' is {node.Outputs[0].Type.ToDisplayName()}; the DSP quantizes to int8/uint8 only");

    protected override void Emit(DelegateNode node, QuantizeParams p, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        if (input.Type == TensorType.Float32)
        {
            graph.Begin(DspOp.QuantizeFloat);
            graph.Add(Signed(output), graph.Offset(input), graph.Offset(output), checked((int)input.ElementCount));
            graph.Add(BitConverter.SingleToInt32Bits(p.OutputScale), p.OutputZeroPoint, p.OutputMin, p.OutputMax);
            graph.End();
            return;
        }
        graph.Begin(DspOp.Requantize);
        graph.Add(Signed(input), Signed(output), graph.Offset(input), graph.Offset(output), checked((int)input.ElementCount));
        graph.Add(p.InputZeroPoint, p.OutputZeroPoint, p.Requantize.Multiplier, p.Requantize.Shift, p.OutputMin, p.OutputMax);
        graph.End();
    }
}

/// <summary>
/// DEQUANTIZE int8/uint8 → float32, per tensor: scale · (float)(q − zero point), one binary32 multiply (the Hexagon
/// sfmpy instruction, round to nearest-even; dsp/kernels.c dequantize()).
/// </summary>
[OpCodes(BuiltinOperator.Dequantize)]
internal sealed class DequantizeKernel : HexagonKernel<DequantizeParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Dequantize];

    protected override NodeSupport Supports(DelegateNode node, DequantizeParams p) =>
        p.Scales.Length == 1 ? NodeSupport.Supported : NodeSupport.Refuse("DEQUANTIZE: per-channel scales are not run on the DSP");

    protected override void Emit(DelegateNode node, DequantizeParams p, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        graph.Begin(DspOp.Dequantize);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(output), checked((int)input.ElementCount));
        graph.Add(p.ZeroPoints.Length == 0 ? 0 : checked((int)p.ZeroPoints[0]), BitConverter.SingleToInt32Bits(p.Scales[0]));
        graph.End();
    }
}

/// <summary>
/// int8/uint8 LOGISTIC and HARD_SWISH: the 256-entry table the definition built at AllocateTensors (TFLite's
/// LUTPopulate), applied by the DSP (dsp/kernels.c lookup()).
/// </summary>
[OpCodes(BuiltinOperator.Logistic, BuiltinOperator.HardSwish)]
internal sealed class LookupKernel : HexagonKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Logistic, BuiltinOperator.HardSwish];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p) =>
        p.QuantizedTable.Length == 256 ? NodeSupport.Supported : NodeSupport.Refuse($"{node.Op.Name}: no 8-bit lookup table");

    protected override void Emit(DelegateNode node, ElementwiseParams p, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        graph.Begin(DspOp.Lookup);
        graph.Add(graph.Offset(input), graph.Offset(output), checked((int)input.ElementCount), graph.Blob(p.QuantizedTable));
        graph.End();
    }
}
