using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SPACE_TO_BATCH_ND (docs/numerics.md §SPACE_TO_BATCH_ND), TFLite's <c>reference_ops::SpaceToBatchND</c>: a byte
/// move of any fixed-size dtype; padded pixels are zero bytes (+0 for floats; quantized zero point 0 only).
/// </summary>
[OpCodes(BuiltinOperator.SpaceToBatchNd)]
internal sealed class SpaceToBatchNdKernel : ReferenceKernel<SpaceToBatchNdParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.SpaceToBatchNd];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.SpaceToBatchNd).Types;

    protected override void Invoke(KernelContext context, SpaceToBatchNdParams p) =>
        SpaceBatchMove.Move(p.Geometry, context.Input(0).Bytes, context.Output(0).WritableBytes, toBatch: true);
}
