using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// GELU on float32 (Shaders/gelu.comp): SpecMath.GeluExact (fma-based Erfc, Exp and reciprocal) or, with approximate,
/// SpecMath.GeluApproximate (fma-based Tanh) per element; on int8/uint8 the definition's 256-entry table
/// (Shaders/lookup_q8.comp).
/// </summary>
[OpCodes(BuiltinOperator.Gelu)]
internal sealed class GeluKernel : VulkanKernel<GeluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Gelu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, GeluParams p, VulkanDeviceInfo device) =>
        p.QuantizedTable.IsEmpty ? DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device)) : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, GeluParams p, VulkanPartitionBuilder builder)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        long total = node.Outputs[0].ElementCount;
        builder.DispatchElements("gelu",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            new Push { Total = (uint)total, Approximate = p.Approximate ? 1u : 0u }, total);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public uint Approximate;
    }
}
