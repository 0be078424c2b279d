using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>The params of an element-wise operator with no options: its cost only.</summary>
public sealed record ElementwiseParams : OpParams;

/// <summary>One float32 input, one float32 output of its shape (RELU, RELU6, HARD_SWISH, LOGISTIC …).</summary>
internal abstract class UnaryFloat32Definition : OpDefinition<ElementwiseParams>
{
    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        UnaryElementwise.PrepareFloat32(context);
        return new ElementwiseParams { Cost = new OpCost(0, context.Output(0).ElementCount, CostMath.BytesTouched(context)) };
    }
}

internal sealed class ReluDefinition : UnaryFloat32Definition
{
    public override OpId Op => BuiltinOperator.Relu;
    public override int MaxVersion => 3;
}

internal sealed class Relu6Definition : UnaryFloat32Definition
{
    public override OpId Op => BuiltinOperator.Relu6;
    public override int MaxVersion => 3;
}

internal sealed class HardSwishDefinition : UnaryFloat32Definition
{
    public override OpId Op => BuiltinOperator.HardSwish;
    public override int MaxVersion => 1;
}

internal sealed class LogisticDefinition : UnaryFloat32Definition
{
    public override OpId Op => BuiltinOperator.Logistic;
    public override int MaxVersion => 3;
}
