using Accel.Operators;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// MAXIMUM, MINIMUM and SQUARED_DIFFERENCE on float32 and int32: <see cref="BinaryArithmeticKernel"/>'s shaders and
/// broadcast (binary.comp, binary_int32.comp), in a kernel of their own because they have no 8-bit path.
/// </summary>
[OpCodes(BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference)]
internal sealed class BinaryElementwiseKernel : VulkanKernel<OpParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    protected override NodeSupport Supports(DelegateNode node, OpParams p, VulkanDeviceInfo device) =>
        BinaryDispatch.SupportsRank(node, BinaryArithmeticKernel.Operands(p).Plan);

    protected override void Build(DelegateNode node, OpParams p, VulkanPartitionBuilder builder) =>
        BinaryArithmeticKernel.BuildFloatOrInt32(node, p, builder);
}
