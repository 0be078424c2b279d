using Accel.Operators;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// RESHAPE, SQUEEZE, EXPAND_DIMS on every fixed-size dtype: the output holds the input's bytes in the same order
/// (only the shape, already final here, differs), so one device-side buffer copy (vkCmdCopyBuffer, no shader) of the
/// input's bytes serves them all.
/// </summary>
[OpCodes(BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims)]
internal sealed class ReshapeKernel : IVulkanKernel
{
    public bool MovesBitsOnly => true;

    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims];

    public IReadOnlyList<TensorType> Types => ByteMoves.Types;

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) => NodeSupport.Supported;

    public void Build(DelegateNode node, VulkanPartitionBuilder builder) =>
        builder.Copy(builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0]), (ulong)node.Inputs[0]!.ByteSize);
}

/// <summary>The dtypes of kernels that only move bytes: device buffers hold any tensor's bytes (rounded up to whole words).</summary>
internal static class ByteMoves
{
    public static readonly TensorType[] Types =
    [
        TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8,
        TensorType.Int16, TensorType.Bool,
    ];
}
