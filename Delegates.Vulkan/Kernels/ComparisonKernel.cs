using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER and GREATER_EQUAL on int8/uint8 (TFLite's ComparisonQuantized): the
/// node's <see cref="BytePairTables"/> table of the reference's rescaled comparison per byte pair, a 0/1 bool per
/// element (Shaders/pair_table_q8.comp), broadcasting up to rank 6; EQUAL and NOT_EQUAL on bool likewise (a
/// table of the bool comparison). float32, int32 and int64 have no Vulkan kernel yet.
/// </summary>
[OpCodes(BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less, BuiltinOperator.LessEqual, BuiltinOperator.Greater,
    BuiltinOperator.GreaterEqual)]
internal sealed class ComparisonKernel : VulkanKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less, BuiltinOperator.LessEqual, BuiltinOperator.Greater,
        BuiltinOperator.GreaterEqual,
    ];

    public override IReadOnlyList<TensorType> Types => [.. QuantizedKernels.Types, TensorType.Bool];

    protected override NodeSupport Supports(DelegateNode node, BinaryElementwiseParams p, VulkanDeviceInfo device)
    {
        var rank = BinaryDispatch.SupportsRank(node, p.Broadcast);
        return rank.IsSupported ? QuantizedKernels.SupportsSize(node) : rank;
    }

    protected override void Build(DelegateNode node, BinaryElementwiseParams p, VulkanPartitionBuilder builder) =>
        QuantizedKernels.PairTable(node, p.Broadcast, builder);
}
