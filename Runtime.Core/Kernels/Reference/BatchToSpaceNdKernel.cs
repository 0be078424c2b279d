using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// BATCH_TO_SPACE_ND (docs/numerics.md §SPACE_TO_BATCH_ND), TFLite's <c>reference_ops::BatchToSpaceND</c>: a byte
/// move of any fixed-size dtype; the cropped pixels are dropped.
/// </summary>
[OpCodes(BuiltinOperator.BatchToSpaceNd)]
internal sealed class BatchToSpaceNdKernel : ReferenceKernel<BatchToSpaceNdParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.BatchToSpaceNd];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.BatchToSpaceNd).Types;

    protected override void Invoke(KernelContext context, BatchToSpaceNdParams p) =>
        SpaceBatchMove.Move(p.Geometry, context.Input(0).Bytes, context.Output(0).WritableBytes, toBatch: false);
}
