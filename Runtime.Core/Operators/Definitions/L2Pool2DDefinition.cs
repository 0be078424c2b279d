using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>L2_POOL_2D, float32 (version 1); TFLite's pooling.cc Prepare, the window geometry of the other pools.</summary>
[OpCodes(BuiltinOperator.L2Pool2D)]
internal sealed class L2Pool2DDefinition : OpDefinition<Pool2DParams>
{
    public override OpId Op => BuiltinOperator.L2Pool2D;
    public override int MaxVersion => 1;

    protected override Pool2DParams PrepareParams(KernelContext context)
    {
        var geometry = Pool2DGeometry.Prepare(context);
        // Every tap is a multiply and an add; the division and square root are per output.
        var g = geometry;
        return new Pool2DParams(geometry, ReadOnlyMemory<float>.Empty)
        {
            Cost = new OpCost(0, CostMath.Product(context.Output(0).ElementCount, g.FilterH, g.FilterW, 2), CostMath.BytesTouched(context)),
        };
    }
}
