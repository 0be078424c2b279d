using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>SHAPE (docs/numerics.md §SHAPE): the input's current dimensions, as int32 or int64. Never reads input data.</summary>
[OpCodes(BuiltinOperator.Shape)]
internal sealed class ShapeKernel : ReferenceKernel<ShapeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Shape];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Shape).Types;

    protected override void Invoke(KernelContext context, ShapeParams p)
    {
        var shape = context.Input(0).Shape;
        var output = context.Output(0);
        if (p.OutType == TensorType.Int64)
        {
            var values = output.Write<long>();
            for (int i = 0; i < shape.Length; i++) values[i] = shape[i];
        }
        else shape.CopyTo(output.Write<int>());
    }
}
