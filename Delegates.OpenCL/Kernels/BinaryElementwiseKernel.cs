using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// MAXIMUM, MINIMUM and SQUARED_DIFFERENCE: float32 and int32 on <see cref="BinaryArithmeticKernel"/>'s launch
/// (Cl/binary.cl); int8/uint8 (MAXIMUM, MINIMUM; SQUARED_DIFFERENCE int8) by the node's <see cref="BytePairTables"/>
/// table (pair_table_q8); MAXIMUM and MINIMUM on int16 compare the stored integers (binary_q16). A class of its own
/// because a kernel's dtypes are per class: ADD, SUB and MUL run int8/uint8 by requantization, not by a table.
/// </summary>
[OpCodes(BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference)]
internal sealed class BinaryElementwiseKernel : OpenClKernel<OpParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, OpParams p, OpenClDeviceInfo device) => BinaryArithmeticKernel.SupportsRank(node, p);

    protected override void Build(DelegateNode node, OpParams p, OpenClPartitionBuilder builder)
    {
        if (BytePairTables.Applies(node)) QuantizedKernels.PairTable(node, ((BinaryElementwiseParams)p).Broadcast, builder);
        else if (node.Inputs[0]!.Type == TensorType.Int16) QuantizedKernels.MaximumMinimum16(node, ((BinaryElementwiseParams)p).Broadcast, builder);
        else BinaryArithmeticKernel.Launch(node, p, builder);
    }
}
