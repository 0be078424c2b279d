using Accel.Operators;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// MAXIMUM, MINIMUM and SQUARED_DIFFERENCE on float32 and int32: <see cref="ElementwiseBinaryKernel"/>'s kernels and
/// broadcast, in an operator class of its own because they have no 8-bit path.
/// </summary>
[OpCodes(BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference)]
internal sealed class ElementwiseSelectionKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    public NodeSupport Supports(DelegateNode node) => ElementwiseBinaryKernel.SupportsRank(node, ElementwiseBinaryKernel.Operands(node).Plan);

    public void Compile(DelegateNode node, IlgpuCompilation c) => ElementwiseBinaryKernel.CompileFloatOrInt32(node, c);
}
