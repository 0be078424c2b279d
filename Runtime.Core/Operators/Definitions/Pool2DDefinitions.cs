using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// MAX_POOL_2D / AVERAGE_POOL_2D's validated window. For AVERAGE_POOL_2D, <see cref="ReciprocalOfCount"/>[n] is
/// SpecMath's R(n) for every tap count a window can have (docs/numerics.md §Pools); empty for MAX_POOL_2D.
/// </summary>
public sealed record Pool2DParams(Pool2DGeometry Geometry, ReadOnlyMemory<float> ReciprocalOfCount) : OpParams;

/// <summary>MAX_POOL_2D, float32; TFLite's pooling.cc Prepare.</summary>
internal sealed class MaxPool2DDefinition : OpDefinition<Pool2DParams>
{
    public override OpId Op => BuiltinOperator.MaxPool2D;
    public override int MaxVersion => 3;

    protected override Pool2DParams PrepareParams(KernelContext context)
    {
        var geometry = Pool2DGeometry.Prepare(context);
        return new Pool2DParams(geometry, ReadOnlyMemory<float>.Empty) { Cost = Pool2DCost.Of(context, geometry) };
    }
}

/// <summary>AVERAGE_POOL_2D, float32; TFLite's pooling.cc Prepare, plus the reciprocal table of the spec.</summary>
internal sealed class AveragePool2DDefinition : OpDefinition<Pool2DParams>
{
    public override OpId Op => BuiltinOperator.AveragePool2D;
    public override int MaxVersion => 3;

    protected override Pool2DParams PrepareParams(KernelContext context)
    {
        var geometry = Pool2DGeometry.Prepare(context);
        long taps = (long)geometry.FilterH * geometry.FilterW;
        if (taps > SpecMath.MaxExactCount)
            throw context.Error($"a {geometry.FilterH}x{geometry.FilterW} window has more than 2^24 taps");
        int maxCount = (int)taps;
        // R[count] for every tap count a window can have; an empty window (impossible with TFLite padding) would give 0·∞ = NaN like TFLite's 0/0.
        var reciprocals = new float[maxCount + 1];
        reciprocals[0] = float.PositiveInfinity;
        for (int n = 1; n <= maxCount; n++) reciprocals[n] = SpecMath.ReciprocalOfCount(n);
        return new Pool2DParams(geometry, reciprocals) { Cost = Pool2DCost.Of(context, geometry) };
    }
}

internal static class Pool2DCost
{
    /// <summary>Output elements × window taps element ops.</summary>
    public static OpCost Of(KernelContext context, Pool2DGeometry g) =>
        new(0, CostMath.Product(context.Output(0).ElementCount, g.FilterH, g.FilterW), CostMath.BytesTouched(context));
}
