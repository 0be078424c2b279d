using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>CAST's validated params: the source and target dtypes and the element count.</summary>
public sealed record CastParams(TensorType From, TensorType To, int ElementCount) : OpParams;

/// <summary>
/// CAST, versions 1–7 (TFLite's cast.cc Prepare): one input and one output of the same shape, each of float32, float16,
/// int32, int64, uint8, int8, int16 or bool, any pair (the identity included); the conversion of each pair is
/// docs/numerics.md §CAST. The options' in/out dtypes are not checked (TFLite ignores them too: the tensors' dtypes
/// rule). Types lists the source dtypes. Cost: one element op per element.
/// </summary>
[OpCodes(BuiltinOperator.Cast)]
internal sealed class CastDefinition : OpDefinition<CastParams>
{
    public override OpId Op => BuiltinOperator.Cast;
    public override int MaxVersion => 7;

    public override IReadOnlyList<TensorType> Types { get; } =
    [
        TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.UInt8, TensorType.Int8,
        TensorType.Int16, TensorType.Bool,
    ];

    protected override CastParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (!Types.Contains(input.Type))
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; CAST supports {UnaryElementwise.Describe(Types)} only");
        if (!Types.Contains(output.Type))
            throw context.Error($"output '{output.Name}' is {output.Type.ToDisplayName()}; CAST supports {UnaryElementwise.Describe(Types)} only");
        context.SetOutputShape(0, input.Shape);
        return new CastParams(input.Type, output.Type, checked((int)input.ElementCount))
        {
            Cost = new OpCost(0, input.ElementCount, CostMath.BytesTouched(context)),
        };
    }
}
