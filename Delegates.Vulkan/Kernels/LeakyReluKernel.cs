using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// LEAKY_RELU on float32 (Shaders/leaky_relu.comp): x &gt; 0 ? x : x · alpha, alpha from the params; on int8/uint8 the
/// definition's 256-entry table (Shaders/lookup_q8.comp); on int16 the reference run over every int16 value
/// (Int16RescaleActivationParams.Tabulate, Shaders/lookup_q16.comp).
/// </summary>
[OpCodes(BuiltinOperator.LeakyRelu)]
internal sealed class LeakyReluKernel : VulkanKernel<LeakyReluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LeakyRelu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, LeakyReluParams p, VulkanDeviceInfo device) =>
        node.Inputs[0]!.Type == TensorType.Int16 && p.Int16Activation is null ? NodeSupport.Refuse("LEAKY_RELU: no int16 rescale params")
        : p.QuantizedTable.IsEmpty && p.Int16Activation is null ? NodeSupport.Supported : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, LeakyReluParams p, VulkanPartitionBuilder builder)
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
        builder.DispatchElements("leaky_relu",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            new Push { Total = (uint)total, Alpha = p.Alpha }, total);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public float Alpha;
    }
}
