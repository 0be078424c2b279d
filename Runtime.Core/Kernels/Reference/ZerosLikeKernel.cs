using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>ZEROS_LIKE (docs/numerics.md §ZEROS_LIKE): all bytes zero (+0.0 for float32). Never reads input data.</summary>
[OpCodes(BuiltinOperator.ZerosLike)]
internal sealed class ZerosLikeKernel : ReferenceKernel<ZerosLikeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ZerosLike];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.ZerosLike).Types;

    protected override void Invoke(KernelContext context, ZerosLikeParams p) => context.Output(0).WritableBytes.Clear();
}
