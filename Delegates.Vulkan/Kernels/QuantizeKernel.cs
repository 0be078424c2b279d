using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// QUANTIZE to int8/uint8 (Shaders/quantize_q8.comp): from float32, round(x / scale) with the correctly rounded
/// division and halves away from zero, + zero point, clamped; from int8/uint8, MultiplyByQuantizedMultiplier of the
/// centred value with the definition's multiplier (docs/numerics.md §Quantized execution). int16 outputs and int16
/// inputs are refused.
/// </summary>
[OpCodes(BuiltinOperator.Quantize)]
internal sealed class QuantizeKernel : VulkanKernel<QuantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Quantize];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, QuantizeParams p, VulkanDeviceInfo device)
    {
        var output = node.Outputs[0];
        if (output.Type is not (TensorType.Int8 or TensorType.UInt8))
            return NodeSupport.Refuse($"QUANTIZE: output '{output.Name}' is {output.Type.ToDisplayName()}; only int8 and uint8 outputs are supported");
        return QuantizedKernels.SupportsSize(node);
    }

    protected override void Build(DelegateNode node, QuantizeParams p, VulkanPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        bool fromFloat = input.Type == TensorType.Float32;
        var push = new Push
        {
            Total = (uint)output.ElementCount, OutputScale = p.OutputScale, OutputZeroPoint = p.OutputZeroPoint,
            OutputMin = p.OutputMin, OutputMax = p.OutputMax, InputZeroPoint = p.InputZeroPoint,
            Multiplier = p.Requantize.Multiplier, Shift = p.Requantize.Shift,
        };
        var source = builder.Buffer(input);
        // The shader reads only the binding of its SOURCE; the other is bound to the same buffer to satisfy the layout.
        builder.DispatchElements("quantize_q8",
            [ShaderBinding.Read(source), ShaderBinding.Read(source), ShaderBinding.Write(builder.Buffer(output))],
            push, (output.ElementCount + 3) / 4, [fromFloat ? 0 : 1, input.Type == TensorType.Int8 ? 1 : 0]);
    }

    /// <summary>quantize_q8.comp's push constants (std430: eight 32-bit scalars).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public float OutputScale;
        public int OutputZeroPoint, OutputMin, OutputMax, InputZeroPoint, Multiplier, Shift;
    }
}
