using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>What SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN and REDUCE_ANY fold their reduced elements with.</summary>
public enum ReductionKind
{
    Sum,
    Product,
    Maximum,
    Minimum,
    Any,
}

/// <summary>
/// A validated reduction (docs/numerics.md §SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY): the input dimensions,
/// which are reduced, the output stride of every input dimension (0 along reduced ones), the count of elements folded
/// into each output, and <see cref="IsCopy"/> when the axes list is empty or the input a scalar (the output is then
/// the input, bit for bit, as TFLite's ReduceIsCopy).
/// </summary>
public sealed record ReductionParams(ReductionKind Kind, ImmutableArray<int> InputDims, ImmutableArray<bool> Reduced,
    ImmutableArray<int> OutputStrides, long ReducedCount, long OutputCount, bool IsCopy, bool KeepDims) : OpParams
{
    /// <summary>An int8/uint8/int16 SUM's requantization (MEAN's integer form without 1/n); null otherwise.</summary>
    public QuantizedMeanParams? QuantizedSum { get; init; }

    /// <summary>A quantized int8/int16 REDUCE_PROD's rescaling; null otherwise (a non-quantized int8/int16 product wraps).</summary>
    public QuantizedProductParams? QuantizedProduct { get; init; }
}

/// <summary>
/// A quantized REDUCE_PROD's integers (TFLite's reduce.cc PrepareProd, reference_ops::QuantizedReduceProd): the zero
/// points, the dtype's range and the multiplier M = QuantizeMultiplier(s_in / s_out^(1/n)) every partial product is
/// rescaled by (docs/numerics.md §Reductions, quantized).
/// </summary>
public sealed record QuantizedProductParams(int InputZeroPoint, int OutputZeroPoint, QuantizedMultiplier Multiplier, int Min, int Max)
{
    /// <summary>Every output when the input is empty: the empty product 1, quantized (TFLite leaves them unwritten).</summary>
    public int EmptyValue { get; init; }

    /// <summary>The output from the last partial product: rescaled once more, + zp_out, clamped.</summary>
    public int Finish(int product)
    {
        int value = Quantization.MultiplyByQuantizedMultiplier((long)product, Multiplier) + OutputZeroPoint;
        return value < Min ? Min : value > Max ? Max : value;
    }
}

/// <summary>The reduced dimensions of a reduction node, its output shape and the output stride of every input dimension.</summary>
internal readonly record struct ResolvedAxes(bool[] Reduced, int[] OutputShape, int[] OutputStrides, long ReducedCount, long OutputCount, int AxisCount);

/// <summary>TFLite's reduce.cc axis rules, written once for the reductions (and ARG_MAX/ARG_MIN's single axis).</summary>
internal static class ReductionAxes
{
    /// <summary>
    /// Reads the constant int32 axes (a scalar or a vector; an axis a in [−rank, rank), a + rank when negative,
    /// duplicates ignored, an empty list reduces nothing; a scalar input ignores them) and computes the output shape: reduced dimensions removed,
    /// or kept as 1 with <paramref name="keepDims"/>.
    /// </summary>
    public static ResolvedAxes Resolve(KernelContext context, Tensor input, Tensor axesTensor, bool keepDims)
    {
        if (axesTensor.Rank > 1)
            throw context.Error($"axes '{axesTensor.Name}' must be a scalar or a vector, has shape {ConstantInputs.Format(axesTensor.Shape)}");
        int[] axes = RunTimeParameters.ReadIntegers(context, axesTensor, "axes", allowInt64: false);
        int rank = input.Rank;
        var reduced = new bool[rank];
        // A scalar input is copied whatever the axes say (TFLite returns before looking at them).
        foreach (int axis in rank == 0 ? [] : axes)
        {
            if (axis < -rank || axis >= rank)
                throw context.Error($"axis {axis} is out of range for input shape {ConstantInputs.Format(input.Shape)}");
            reduced[axis < 0 ? axis + rank : axis] = true;
        }

        var outputShape = new List<int>(rank);
        long reducedCount = 1, outputCount = 1;
        for (int d = 0; d < rank; d++)
        {
            if (reduced[d])
            {
                reducedCount *= input.Dim(d);
                if (keepDims) outputShape.Add(1);
            }
            else
            {
                outputCount *= input.Dim(d);
                outputShape.Add(input.Dim(d));
            }
        }

        var outputStrides = new int[rank];
        long stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            if (reduced[d]) continue;
            outputStrides[d] = checked((int)stride);
            stride *= input.Dim(d);
        }
        return new ResolvedAxes(reduced, outputShape.ToArray(), outputStrides, reducedCount, outputCount, axes.Length);
    }
}

/// <summary>
/// The reductions other than MEAN: input 0 of a dtype in <see cref="OpDefinition.Types"/>, input 1 the constant int32
/// axes, ReducerOptions.keep_dims (absent: false); the output has the input's dtype. TFLite's reduce.cc PrepareSimple /
/// PrepareAllOrAny / PrepareProd. Cost: one element op per input element.
/// </summary>
internal abstract class ReductionDefinition : OpDefinition<ReductionParams>
{
    protected abstract ReductionKind Kind { get; }

    protected override ReductionParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (!Types.Contains(input.Type))
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; {Op.Name} supports {string.Join(", ", Types.Select(t => t.ToDisplayName()))}");
        context.ExpectType(output, input.Type, "output");
        bool integer8Or16 = input.Type is TensorType.Int8 or TensorType.UInt8 or TensorType.Int16;
        if (integer8Or16 && Kind is ReductionKind.Maximum or ReductionKind.Minimum) ExpectQuantizedLikeInput(context, input, output);
        bool keepDims = context.Options is not null && context.OptionsAs<ReducerOptions>().KeepDims;
        var axes = ReductionAxes.Resolve(context, input, context.Input(1), keepDims);
        context.SetOutputShape(0, axes.OutputShape);
        bool isCopy = axes.AxisCount == 0 || input.Rank == 0;
        return new ReductionParams(Kind, [.. input.Shape], [.. axes.Reduced], [.. axes.OutputStrides], axes.ReducedCount,
            axes.OutputCount, isCopy, keepDims)
        {
            // TFLite's PrepareMeanOrSum: the multiplier s_in/s_out, without MEAN's 1/n; int16 zero points 0.
            QuantizedSum = integer8Or16 && Kind == ReductionKind.Sum ? QuantizedMean.Prepare(context, axes.ReducedCount, spatial: false, foldCount: false) : null,
            QuantizedProduct = integer8Or16 && Kind == ReductionKind.Product && input.Quantization.IsQuantized
                ? PrepareQuantizedProduct(context, input, output, axes.ReducedCount)
                : null,
            Cost = new OpCost(0, input.ElementCount, CostMath.BytesTouched(context)),
        };
    }

    /// <summary>
    /// TFLite's PrepareProd for a quantized int8/int16 input: per-tensor quantization on input and output (int16: zero
    /// points 0), M = QuantizeMultiplier((double)s_in / pow((double)s_out, 1.0 / n)) with n the elements per output
    /// (1 when nothing is reduced). Accel refuses an M whose shift exceeds what the 64-bit rescale takes.
    /// </summary>
    private static QuantizedProductParams PrepareQuantizedProduct(KernelContext context, Tensor input, Tensor output, long count)
    {
        bool int16 = input.Type == TensorType.Int16;
        var inQ = int16 ? Int16x8.Activation(context, input, "input") : QuantizedParams.PerTensor(context, input, "input");
        var outQ = int16 ? Int16x8.Activation(context, output, "output") : QuantizedParams.PerTensor(context, output, "output");
        long n = Math.Max(count, 1);
        double real = (double)inQ.Scale / Math.Pow(outQ.Scale, 1.0 / n);
        var m = QuantizedParams.Multiplier(context, real, "the REDUCE_PROD multiplier s_in / s_out^(1/n)");
        if (m.Shift > Quantization.MaxInt64MultiplierShift)
            throw context.Error($"the REDUCE_PROD multiplier s_in / s_out^(1/n) = {real:R} is too large (at most 2^{Quantization.MaxInt64MultiplierShift})");
        var (min, max) = Quantization.TypeRange(output.Type)!.Value;
        // TFLite leaves the outputs of an empty input unwritten; Accel writes the empty product 1, quantized.
        double one = Math.Round(outQ.ZeroPoint + 1.0 / outQ.Scale, MidpointRounding.AwayFromZero);
        int empty = (int)Math.Clamp(one, min, max);
        return new QuantizedProductParams(inQ.ZeroPoint, outQ.ZeroPoint, m, min, max) { EmptyValue = empty };
    }

    /// <summary>
    /// REDUCE_MAX / REDUCE_MIN on int8, uint8, int16 compare the stored integers and move the winner unchanged
    /// (TFLite's EvalType&lt;int8_t&gt; …, no rescaling), so the output must be quantized exactly as the input (the
    /// converter writes it so; TFLite checks only int16's zero points, 0): Accel refuses a mismatch, as for data movement.
    /// </summary>
    private static void ExpectQuantizedLikeInput(KernelContext context, Tensor input, Tensor output)
    {
        QuantizedDataMovement.ExpectSameQuantization(context, input, output);
        if (input.Type == TensorType.Int16 && input.Quantization.IsQuantized && input.Quantization.ZeroPoint.AsSpan().ContainsAnyExcept(0L))
            throw context.Error($"input '{input.Name}' is int16 with a nonzero zero point; int16 reductions need zero point 0 (TFLite's check)");
    }
}

/// <summary>
/// SUM: float32, int32, int64, and int8/uint8/int16 quantized per tensor, each with its own scale and zero point
/// (int16: zero points 0), requantized as TFLite's reference_ops::QuantizedMeanOrSum with compute_sum.
/// </summary>
[OpCodes(BuiltinOperator.Sum)]
internal sealed class SumDefinition : ReductionDefinition
{
    public override OpId Op => BuiltinOperator.Sum;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];
    protected override ReductionKind Kind => ReductionKind.Sum;
}

/// <summary>
/// REDUCE_PROD: float32, int32, int64, and int8/int16: quantized, each partial product rescaled (TFLite's
/// QuantizedReduceProd); without quantization parameters a wrapping integer product, as TFLite's EvalGeneric.
/// </summary>
[OpCodes(BuiltinOperator.ReduceProd)]
internal sealed class ReduceProdDefinition : ReductionDefinition
{
    public override OpId Op => BuiltinOperator.ReduceProd;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.Int16];
    protected override ReductionKind Kind => ReductionKind.Product;
}

/// <summary>
/// REDUCE_MAX: float32, int32, int64, and int8/uint8/int16 compared as stored integers (output quantized as the input;
/// int16 zero point 0).
/// </summary>
[OpCodes(BuiltinOperator.ReduceMax)]
internal sealed class ReduceMaxDefinition : ReductionDefinition
{
    public override OpId Op => BuiltinOperator.ReduceMax;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];
    protected override ReductionKind Kind => ReductionKind.Maximum;
}

/// <summary>
/// REDUCE_MIN: float32, int32, int64, and int8/uint8/int16 compared as stored integers (output quantized as the input;
/// int16 zero point 0).
/// </summary>
[OpCodes(BuiltinOperator.ReduceMin)]
internal sealed class ReduceMinDefinition : ReductionDefinition
{
    public override OpId Op => BuiltinOperator.ReduceMin;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];
    protected override ReductionKind Kind => ReductionKind.Minimum;
}

/// <summary>REDUCE_ANY: bool only (TFLite's PrepareAllOrAny).</summary>
[OpCodes(BuiltinOperator.ReduceAny)]
internal sealed class ReduceAnyDefinition : ReductionDefinition
{
    public override OpId Op => BuiltinOperator.ReduceAny;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Bool];
    protected override ReductionKind Kind => ReductionKind.Any;
}
