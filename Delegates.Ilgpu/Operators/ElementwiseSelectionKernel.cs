using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// MAXIMUM, MINIMUM and SQUARED_DIFFERENCE: on float32 and int32 <see cref="ElementwiseBinaryKernel"/>'s kernels and
/// broadcast; on int8/uint8 (MAXIMUM, MINIMUM; SQUARED_DIFFERENCE int8) the node's <see cref="BytePairTables"/> table
/// (<see cref="BytePairTableKernel"/>); MAXIMUM and MINIMUM on int16 compare the stored integers
/// (<see cref="Int16MaximumMinimumKernel"/>).
/// </summary>
[OpCodes(BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference)]
internal sealed class ElementwiseSelectionKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types, TensorType.Int16];

    public NodeSupport Supports(DelegateNode node) => ElementwiseBinaryKernel.SupportsRank(node, ElementwiseBinaryKernel.Operands(node).Plan);

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (BytePairTables.Applies(node)) BytePairTableKernel.Compile(node, c, node.ParamsAs<BinaryElementwiseParams>().Broadcast);
        else if (node.Inputs[0]!.Type == TensorType.Int16) Int16MaximumMinimumKernel.Compile(node, c, node.ParamsAs<BinaryElementwiseParams>().Broadcast);
        else ElementwiseBinaryKernel.CompileFloatOrInt32(node, c);
    }
}
