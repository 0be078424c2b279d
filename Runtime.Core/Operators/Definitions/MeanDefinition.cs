using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// MEAN's validated reduction: which input dimensions are reduced, the output stride of every input dimension (0
/// along reduced ones), the count n of elements per output and SpecMath's R(n) (docs/numerics.md §MEAN).
/// </summary>
public sealed record MeanParams(ImmutableArray<int> InputDims, ImmutableArray<bool> Reduced, ImmutableArray<int> OutputStrides,
    long ReducedCount, float Reciprocal, bool KeepDims) : OpParams
{
    /// <summary>An int8/uint8/int16 MEAN's integer params (TFLite's reference kernels); null for float32, int32, int64.</summary>
    public QuantizedMeanParams? Quantized { get; init; }
}

/// <summary>MEAN, float32, int32, int64, int8, uint8 and int16 (int16x8) over any axes (constant axes input); TFLite's reduce.cc Prepare.</summary>
[OpCodes(BuiltinOperator.Mean)]
internal sealed class MeanDefinition : OpDefinition<MeanParams>
{
    public override OpId Op => BuiltinOperator.Mean;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override MeanParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (!Types.Contains(input.Type))
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; MEAN supports float32, int32, int64, int8, uint8 and int16");
        context.ExpectType(output, input.Type, "output");
        bool keepDims = context.Options is not null && context.OptionsAs<ReducerOptions>().KeepDims;
        var axesTensor = context.Input(1);
        if (axesTensor.Rank > 1)
            throw context.Error($"axes '{axesTensor.Name}' must be a scalar or a vector, has shape {ConstantInputs.Format(axesTensor.Shape)}");
        int[] axes = RunTimeParameters.ReadIntegers(context, axesTensor, "axes", allowInt64: false);

        int rank = input.Rank;
        var reduced = new bool[rank];
        foreach (int axis in axes)
        {
            if (axis < -rank || axis >= rank)
                throw context.Error($"axis {axis} is out of range for input shape {ConstantInputs.Format(input.Shape)}");
            reduced[axis < 0 ? axis + rank : axis] = true;
        }

        var outputShape = new List<int>();
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            if (reduced[d]) count *= input.Dim(d);
            if (!reduced[d]) outputShape.Add(input.Dim(d));
            else if (keepDims) outputShape.Add(1);
        }
        bool isFloat = input.Type == TensorType.Float32;
        if (isFloat && count > SpecMath.MaxExactCount)
            throw context.Error($"reduces {count} elements per float32 output; at most 2^24 are supported");
        // n = 0 (an empty reduced dimension) gives +0 · ∞ = NaN, as TFLite's 0/0. Integer means divide instead (R unused).
        float reciprocal = !isFloat ? 0f : count == 0 ? float.PositiveInfinity : SpecMath.ReciprocalOfCount((int)count);

        var outputStrides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            if (reduced[d]) continue;
            outputStrides[d] = stride;
            stride *= input.Dim(d);
        }
        context.SetOutputShape(0, outputShape.ToArray());
        return new MeanParams([.. input.Shape], [.. reduced], [.. outputStrides], count, reciprocal, keepDims)
        {
            Quantized = QuantizedParams.IsQuantizedType(input.Type) || input.Type == TensorType.Int16 ? QuantizedMean.Prepare(context, count, IsSpatial(axes, rank, keepDims)) : null,
            Cost = new OpCost(0, input.ElementCount, CostMath.BytesTouched(context)),
        };
    }

    /// <summary>TFLite's test for its 4-D spatial integer mean: keep_dims, rank 4, exactly two axes written as 1, 2 or 2, 1.</summary>
    private static bool IsSpatial(int[] axes, int rank, bool keepDims) =>
        keepDims && rank == 4 && axes.Length == 2 && ((axes[0] == 1 && axes[1] == 2) || (axes[0] == 2 && axes[1] == 1));
}
