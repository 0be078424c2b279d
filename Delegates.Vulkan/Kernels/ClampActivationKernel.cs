using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// The RELU family on float32 (Shaders/clamp.comp): the NaN-propagating clamp to [0, +inf] (RELU), [0, 6] (RELU6),
/// [−1, 1] (RELU_N1_TO_1) or [0, 1] (RELU_0_TO_1); on int8/uint8 the definition's 256-entry table of TFLite's
/// QuantizedReluX (Shaders/lookup_q8.comp); RELU and RELU6 on int16 as the reference run over every int16 value
/// (Int16RescaleActivationParams.Tabulate, Shaders/lookup_q16.comp).
/// </summary>
[OpCodes(BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1)]
internal sealed class ClampActivationKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        node.Inputs[0]!.Type == TensorType.Int16 && p.Int16Activation is null
            ? NodeSupport.Refuse($"{node.Code.Name}: no int16 rescale params")
            : p.QuantizedTable.IsEmpty && p.Int16Activation is null ? NodeSupport.Supported : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder)
    {
        if (p.Int16Activation is { } int16)
        {
            QuantizedKernels.Lookup16(node, int16.Tabulate(), builder);
            return;
        }
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        long total = node.Outputs[0].ElementCount;
        var (lo, hi) = node.Builtin switch
        {
            BuiltinOperator.Relu => (0f, float.PositiveInfinity),
            BuiltinOperator.Relu6 => (0f, 6f),
            BuiltinOperator.ReluN1To1 => (-1f, 1f),
            _ => (0f, 1f),
        };
        builder.DispatchElements("clamp",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            new Push { Total = (uint)total, Lo = lo, Hi = hi }, total);
    }

    /// <summary>clamp.comp's push constants.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public float Lo, Hi;
    }
}
