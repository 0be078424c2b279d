using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// MAXIMUM, MINIMUM and SQUARED_DIFFERENCE: on float32 and int32 <see cref="BinaryArithmeticKernel"/>'s shaders and
/// broadcast (binary.comp, binary_int32.comp); on int8/uint8 (MAXIMUM, MINIMUM; SQUARED_DIFFERENCE int8) the node's
/// <see cref="BytePairTables"/> table (pair_table_q8.comp); MAXIMUM and MINIMUM on int16 compare the stored integers
/// (binary_q16.comp).
/// </summary>
[OpCodes(BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference)]
internal sealed class BinaryElementwiseKernel : VulkanKernel<OpParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, OpParams p, VulkanDeviceInfo device)
    {
        var rank = BinaryDispatch.SupportsRank(node, BinaryArithmeticKernel.Operands(p).Plan);
        return !rank.IsSupported || node.Inputs[0]!.Type is TensorType.Float32 or TensorType.Int32 ? rank : QuantizedKernels.SupportsSize(node);
    }

    protected override void Build(DelegateNode node, OpParams p, VulkanPartitionBuilder builder)
    {
        if (BytePairTables.Applies(node)) QuantizedKernels.PairTable(node, ((BinaryElementwiseParams)p).Broadcast, builder);
        else if (node.Inputs[0]!.Type == TensorType.Int16) QuantizedKernels.MaximumMinimum16(node, ((BinaryElementwiseParams)p).Broadcast, builder);
        else BinaryArithmeticKernel.BuildFloatOrInt32(node, p, builder);
    }
}
