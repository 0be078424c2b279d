using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RESHAPE (docs/numerics.md §RESHAPE). Mirrors TFLite's reshape.cc: the new shape comes from input 1 when it is a
/// rank-1 int32 tensor (a constant, or computed at run time: then resolved here at Invoke), otherwise from ReshapeOptions.new_shape (the legacy [0] meaning
/// a scalar). At most one dimension may be −1 and is inferred; the element count must not change. The data are copied
/// unchanged (any fixed-size dtype).
/// </summary>
[OpCodes(BuiltinOperator.Reshape)]
internal sealed class ReshapeKernel : ReferenceKernel<ReshapeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Reshape).Types;

    protected override void Invoke(KernelContext context, ReshapeParams p)
    {
        if (p.ShapeAtInvoke)
        {
            // The shape input was computed at run time: resolve it now by the definition's rules.
            var shapeTensor = context.Input(1);
            Span<int> shape = stackalloc int[shapeTensor.Dim(0)];
            ReshapeDefinition.Resolve(context, shapeTensor.Read<int>()[..shape.Length], shape);
            context.ResizeOutput(0, shape);
        }
        var source = context.Input(0).Bytes[..(int)p.Bytes];
        source.CopyTo(context.Output(0).WritableBytes); // CopyTo is overlap-safe, should input and output share memory
    }
}
