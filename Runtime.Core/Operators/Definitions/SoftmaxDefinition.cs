using Accel.Kernels;

namespace Accel.Operators.Definitions;

/// <summary>SOFTMAX's validated layout: <see cref="Rows"/> independent rows of <see cref="Depth"/> elements (the last dimension), and beta.</summary>
public sealed record SoftmaxParams(float Beta, int Rows, int Depth) : OpParams;

/// <summary>
/// SOFTMAX, float32, over the last dimension of an input of rank ≥ 1 (TFLite's softmax.cc Prepare for float:
/// output shape = input shape; beta from SoftmaxOptions, 1 when absent). Numerics: docs/numerics.md §SOFTMAX.
/// </summary>
internal sealed class SoftmaxDefinition : OpDefinition<SoftmaxParams>
{
    public override OpId Op => BuiltinOperator.Softmax;
    public override int MaxVersion => 3;

    protected override SoftmaxParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectType(input, TensorType.Float32, "input");
        context.ExpectType(output, TensorType.Float32, "output");
        if (input.Rank < 1) throw context.Error($"input '{input.Name}' must have rank >= 1, is a scalar");
        float beta = context.Options is null ? 1f : context.OptionsAs<SoftmaxOptions>().Beta;
        if (!float.IsFinite(beta)) throw context.Error($"beta must be finite, is {beta}");
        int depth = input.Dim(input.Rank - 1);
        int rows = depth == 0 ? 0 : checked((int)(input.ElementCount / depth));
        context.SetOutputShape(0, input.Shape);
        // One element op per element touched (the unit OpCost documents), though each costs an Exp and four flops.
        return new SoftmaxParams(beta, rows, depth)
        {
            Cost = new OpCost(0, input.ElementCount, CostMath.BytesTouched(context)),
        };
    }
}
