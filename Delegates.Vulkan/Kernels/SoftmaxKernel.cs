using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// SOFTMAX on float32 (Shaders/softmax.comp): one invocation per row of the definition's Depth elements, the
/// reference's sequence in its order (maximum, specExp of (x − m)·beta with a sequential sum, SoftmaxMultiplier's
/// fma-based reciprocal, one multiply per element). int8/uint8 (Shaders/softmax_q8.comp): the reference's float-table
/// form on the definition's 256-entry exp table — the row's sequential binary32 sum, one correctly rounded division
/// (specDivide), one multiply and the rounding per element — bit-exact because Vulkan's add and multiply round
/// correctly and the delegate keeps subnormals (it refuses devices that flush them).
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxKernel : VulkanKernel<SoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, SoftmaxParams p, VulkanDeviceInfo device) =>
        p.QuantizedExpTable.IsEmpty ? DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device)) : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, SoftmaxParams p, VulkanPartitionBuilder builder)
    {
        if (!p.QuantizedExpTable.IsEmpty)
        {
            long total = node.Outputs[0].ElementCount;
            var push = new QuantizedPush
            {
                Total = (uint)total, Depth = (uint)p.Depth, OutputScale = p.QuantizedOutput.Scale, OutputZeroPoint = p.QuantizedOutput.ZeroPoint,
            };
            // One invocation per output word of four 8-bit elements.
            builder.DispatchElements("softmax_q8",
                [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Table(p.QuantizedExpTable.Span)),
                 ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
                push, (total + 3) / 4, [node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0]);
            return;
        }
        builder.DispatchElements("softmax",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            new Push { Rows = (uint)p.Rows, Depth = (uint)p.Depth, Beta = p.Beta }, p.Rows);
    }

    /// <summary>softmax.comp's push constants (std430).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Rows;
        public uint Depth;
        public float Beta;
    }

    /// <summary>softmax_q8.comp's push constants (std430).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QuantizedPush
    {
        public uint Total;
        public uint Depth;
        public float OutputScale;
        public int OutputZeroPoint;
    }
}
