using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// L2_NORMALIZATION on int8/uint8 (Shaders/l2_normalization_q8.comp): per row of the definition's Depth elements the
/// reference's integer form — the int32 sum of squared differences from the zero point, TFLite's fixed-point inverse
/// square root (Quantization.InverseSqrtMultiplier written out on 32-bit words), each difference rescaled to the
/// output's 1/128 scale — so every device gives the reference's bits. float32 has no Vulkan kernel.
/// </summary>
[OpCodes(BuiltinOperator.L2Normalization)]
internal sealed class L2NormalizationKernel : VulkanKernel<L2NormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.L2Normalization];

    public override IReadOnlyList<TensorType> Types => QuantizedKernels.Types;

    protected override NodeSupport Supports(DelegateNode node, L2NormalizationParams p, VulkanDeviceInfo device) =>
        QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, L2NormalizationParams p, VulkanPartitionBuilder builder)
    {
        long total = node.Outputs[0].ElementCount;
        var push = new Push { Total = (uint)total, Depth = (uint)p.Depth, InputZeroPoint = p.InputZeroPoint };
        builder.DispatchElements("l2_normalization_q8",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, (total + 3) / 4, [node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0]);
    }

    /// <summary>l2_normalization_q8.comp's push constants (std430).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public uint Depth;
        public int InputZeroPoint;
    }
}
