using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RESHAPE (docs/numerics.md §RESHAPE). Mirrors TFLite's reshape.cc: the new shape comes from input 1 when it is a
/// rank-1 int32 tensor (which must then be a constant), otherwise from ReshapeOptions.new_shape (the legacy [0] meaning
/// a scalar). At most one dimension may be −1 and is inferred; the element count must not change. The data are copied
/// unchanged (any fixed-size dtype).
/// </summary>
internal sealed class ReshapeKernel : ReferenceKernel<ReshapeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Reshape).Types;

    protected override void Invoke(KernelContext context, ReshapeParams p)
    {
        var source = context.Input(0).Bytes[..(int)p.Bytes];
        source.CopyTo(context.Output(0).WritableBytes); // CopyTo is overlap-safe, should input and output share memory
    }
}
