using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// MAX_POOL_2D / AVERAGE_POOL_2D's validated window. For AVERAGE_POOL_2D, <see cref="ReciprocalOfCount"/>[n] is
/// SpecMath's R(n) for every tap count a window can have (docs/numerics.md §Pools); empty for MAX_POOL_2D.
/// </summary>
public sealed record Pool2DParams(Pool2DGeometry Geometry, ReadOnlyMemory<float> ReciprocalOfCount) : OpParams
{
    /// <summary>An integer pool's fused-activation clamp in the output's quantized domain; null for float32.</summary>
    public QuantizedPoolParams? Quantized { get; init; }
}

/// <summary>
/// An int8/uint8 pool's clamp. As in TFLite, the values are not rescaled: the input's scale and zero point are taken
/// to be the output's (TFLite only debug-checks that they match).
/// </summary>
public sealed record QuantizedPoolParams(int ActivationMin, int ActivationMax);

/// <summary>The integer params of a pool node (null for float32).</summary>
internal static class QuantizedPool
{
    public static QuantizedPoolParams? Prepare(KernelContext context)
    {
        var output = context.Output(0);
        if (output.Type == TensorType.Int16)
        {
            // int16x8 (pooling.cc): input and output symmetric, no rescale, the clamp in the int16 domain.
            Int16x8.Activation(context, context.Input(0), "input");
            var q16 = Int16x8.Activation(context, output, "output");
            var (min16, max16) = QuantizedParams.Activation(context, context.OptionsAs<Pool2DOptions>().FusedActivation, output, q16);
            return new QuantizedPoolParams(min16, max16);
        }
        if (!QuantizedParams.IsQuantizedType(output.Type)) return null;
        QuantizedParams.PerTensor(context, context.Input(0), "input");
        var q = QuantizedParams.PerTensor(context, output, "output");
        var (min, max) = QuantizedParams.Activation(context, context.OptionsAs<Pool2DOptions>().FusedActivation, output, q);
        return new QuantizedPoolParams(min, max);
    }
}

/// <summary>MAX_POOL_2D, float32; TFLite's pooling.cc Prepare.</summary>
[OpCodes(BuiltinOperator.MaxPool2D)]
internal sealed class MaxPool2DDefinition : OpDefinition<Pool2DParams>
{
    public override OpId Op => BuiltinOperator.MaxPool2D;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override Pool2DParams PrepareParams(KernelContext context)
    {
        var geometry = Pool2DGeometry.Prepare(context);
        return new Pool2DParams(geometry, ReadOnlyMemory<float>.Empty) { Cost = Pool2DCost.Of(context, geometry), Quantized = QuantizedPool.Prepare(context) };
    }
}

/// <summary>AVERAGE_POOL_2D, float32; TFLite's pooling.cc Prepare, plus the reciprocal table of the spec.</summary>
[OpCodes(BuiltinOperator.AveragePool2D)]
internal sealed class AveragePool2DDefinition : OpDefinition<Pool2DParams>
{
    public override OpId Op => BuiltinOperator.AveragePool2D;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

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
        return new Pool2DParams(geometry, reciprocals) { Cost = Pool2DCost.Of(context, geometry), Quantized = QuantizedPool.Prepare(context) };
    }
}

internal static class Pool2DCost
{
    /// <summary>Output elements × window taps element ops.</summary>
    public static OpCost Of(KernelContext context, Pool2DGeometry g) =>
        new(0, CostMath.Product(context.Output(0).ElementCount, g.FilterH, g.FilterW), CostMath.BytesTouched(context));
}
