using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>ADD_N's validated layout: <see cref="InputCount"/> same-shaped inputs of <see cref="ElementCount"/> elements.</summary>
public sealed record AddNParams(int InputCount, int ElementCount) : OpParams;

/// <summary>
/// ADD_N (TFLite's add_n.cc Prepare): two or more inputs of one dtype (float32 or int32) and one shape (no
/// broadcasting), one output of that dtype and shape. Cost: one element op per input after the first, per element.
/// </summary>
[OpCodes(BuiltinOperator.AddN)]
internal sealed class AddNDefinition : OpDefinition<AddNParams>
{
    public override OpId Op => BuiltinOperator.AddN;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32];

    protected override AddNParams PrepareParams(KernelContext context)
    {
        if (context.InputCount < 2) throw context.Error($"needs at least 2 inputs, has {context.InputCount}");
        context.ExpectArity(2, context.InputCount, 1);
        var first = context.Input(0);
        if (!Types.Contains(first.Type))
            throw context.Error($"input '{first.Name}' is {first.Type.ToDisplayName()}; ADD_N supports {UnaryElementwise.Describe(Types)} only");
        for (int i = 1; i < context.InputCount; i++)
        {
            var input = context.Input(i);
            context.ExpectType(input, first.Type, $"input {i}");
            if (!input.Shape.SequenceEqual(first.Shape))
                throw context.Error(
                    $"input {i} '{input.Name}' has shape [{string.Join(",", input.Shape.ToArray())}], input 0 '{first.Name}' " +
                    $"[{string.Join(",", first.Shape.ToArray())}]: ADD_N does not broadcast, every input must have the same shape");
        }
        context.ExpectType(context.Output(0), first.Type, "output");
        context.SetOutputShape(0, first.Shape);
        int count = checked((int)first.ElementCount);
        return new AddNParams(context.InputCount, count)
        {
            Cost = new OpCost(0, CostMath.Product(count, context.InputCount - 1), CostMath.BytesTouched(context)),
        };
    }
}
