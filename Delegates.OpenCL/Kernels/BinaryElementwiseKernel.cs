using Accel.Operators;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// MAXIMUM, MINIMUM and SQUARED_DIFFERENCE, float32 and int32, on <see cref="BinaryArithmeticKernel"/>'s launch
/// (Cl/binary.cl). A class of their own because a kernel's dtypes are per class: ADD, SUB and MUL also run int8/uint8,
/// these three do not.
/// </summary>
[OpCodes(BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference)]
internal sealed class BinaryElementwiseKernel : OpenClKernel<OpParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    protected override NodeSupport Supports(DelegateNode node, OpParams p, OpenClDeviceInfo device) => BinaryArithmeticKernel.SupportsRank(node, p);

    protected override void Build(DelegateNode node, OpParams p, OpenClPartitionBuilder builder) => BinaryArithmeticKernel.Launch(node, p, builder);
}
