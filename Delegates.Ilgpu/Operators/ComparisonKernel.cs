using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER and GREATER_EQUAL on int8/uint8 (TFLite's ComparisonQuantized): the
/// node's <see cref="BytePairTables"/> table of the reference's rescaled comparison per byte pair, a 0/1 bool per
/// element (<see cref="BytePairTableKernel"/>), broadcasting up to rank 6; EQUAL and NOT_EQUAL on bool likewise (a
/// table of the bool comparison). float32, int32 and int64 have no ILGPU kernel yet.
/// </summary>
[OpCodes(BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less, BuiltinOperator.LessEqual, BuiltinOperator.Greater,
    BuiltinOperator.GreaterEqual)]
internal sealed class ComparisonKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less, BuiltinOperator.LessEqual, BuiltinOperator.Greater,
        BuiltinOperator.GreaterEqual,
    ];

    public IReadOnlyList<TensorType> Types => [.. QuantizedKernels.Types, TensorType.Bool];

    public NodeSupport Supports(DelegateNode node) =>
        ElementwiseBinaryKernel.SupportsRank(node, node.ParamsAs<BinaryElementwiseParams>().Broadcast);

    public void Compile(DelegateNode node, IlgpuCompilation c) =>
        BytePairTableKernel.Compile(node, c, node.ParamsAs<BinaryElementwiseParams>().Broadcast);
}
