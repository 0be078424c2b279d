using Accel.Kernels;

namespace Accel.Operators.Definitions;

// The math family (docs/numerics.md §Math operators): EXP, LOG, SQRT, RSQRT, SIN, COS (one float32 input, output of
// its shape: TFLite's exp.cc and elementwise.cc), POW (broadcasting, float32 and int32: pow.cc), LOG_SOFTMAX
// (activations.cc), L2_NORMALIZATION (l2norm.cc) and LOCAL_RESPONSE_NORMALIZATION (local_response_norm.cc).
// Versions are TFLite's BuiltinOpResolver ranges (core/kernels/register.cc: LOG 1–2, SQRT 1–2, RSQRT 1–3, the int8 and
// int16 forms); L2_NORMALIZATION v2 and LOG_SOFTMAX v2 run int8/uint8.

/// <summary>
/// EXP, float32: SpecMath Exp per element; int8: a 256-entry table (LUTPopulate); int16 (zero points 0): TFLite's
/// 513-entry interpolated table (LUTPopulate&lt;int16_t&gt;), both of SpecMath Exp.
/// </summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Exp;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return context.Input(0).Type switch
        {
            TensorType.Int8 => p with { QuantizedTable = QuantizedLookup.Exp(context) },
            TensorType.Int16 => p with { Int16Table = QuantizedLookup.ExpInt16(context) },
            _ => p,
        };
    }
}

/// <summary>
/// LOG, float32: SpecMath Log per element; int8: a 256-entry table (LUTPopulate); int16 (zero points 0): TFLite's
/// 513-entry interpolated table (LUTPopulate&lt;int16_t&gt;), both of TFLite's log function (x ≤ 0 → the output's
/// lowest real value) with SpecMath Log.
/// </summary>
[OpCodes(BuiltinOperator.Log)]
internal sealed class LogDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Log;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return context.Input(0).Type switch
        {
            TensorType.Int8 => p with { QuantizedTable = QuantizedLookup.Log(context) },
            TensorType.Int16 => p with { Int16Table = QuantizedLookup.LogInt16(context) },
            _ => p,
        };
    }
}

/// <summary>
/// SQRT, float32: the correctly rounded IEEE square root; int8 (a table) and int16 (zero points 0, per element): TFLite's
/// SqrtEvalQuantized in binary32, an input below the zero point an error at Invoke.
/// </summary>
[OpCodes(BuiltinOperator.Sqrt)]
internal sealed class SqrtDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Sqrt;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        var type = context.Input(0).Type;
        if (type == TensorType.Float32) return p;
        var sqrt = QuantizedLookup.Sqrt(context);
        p = p with { QuantizedInputMinimum = sqrt.InputZeroPoint };
        return type == TensorType.Int8 ? p with { QuantizedTable = QuantizedLookup.SqrtTable(sqrt) } : p with { Int16Sqrt = sqrt };
    }
}

/// <summary>
/// RSQRT, float32: 1 / sqrt(x), two IEEE roundings (SpecMath Rsqrt); int8: a table of TFLite's RsqrtEvalQuantizedInt8
/// (fixed-point inverse square root); int16 (zero points 0): TFLite's 513-entry interpolated table of 1 / √x
/// (LUTPopulate&lt;int16_t&gt;). An input below the zero point is an error at Invoke.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Rsqrt;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return context.Input(0).Type switch
        {
            TensorType.Int8 => p with
            {
                QuantizedTable = QuantizedLookup.Rsqrt(context),
                QuantizedInputMinimum = QuantizedParams.PerTensor(context, context.Input(0), "input").ZeroPoint,
            },
            TensorType.Int16 => p with { Int16Table = QuantizedLookup.RsqrtInt16(context), QuantizedInputMinimum = 0 },
            _ => p,
        };
    }
}

/// <summary>SIN, float32: SpecMath Sin per element.</summary>
[OpCodes(BuiltinOperator.Sin)]
internal sealed class SinDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Sin;
    public override int MaxVersion => 1;
}

/// <summary>COS, float32: SpecMath Cos per element.</summary>
[OpCodes(BuiltinOperator.Cos)]
internal sealed class CosDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Cos;
    public override int MaxVersion => 1;
}

/// <summary>
/// POW, float32 (SpecMath Pow) and int32 (exact, wrapping; a negative exponent is refused at Invoke, as TFLite's
/// pow.cc does), NumPy broadcasting of any rank (TFLite's broadcast path stops at rank 4; Accel accepts more).
/// </summary>
[OpCodes(BuiltinOperator.Pow)]
internal sealed class PowDefinition : BinaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Pow;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32];
}

/// <summary>A normalisation over the last dimension: <see cref="Rows"/> independent rows of <see cref="Depth"/> elements.</summary>
public sealed record RowNormalizationParams(int Rows, int Depth) : OpParams;

/// <summary>Rows × depth of a tensor of rank ≥ 1, normalised along its last dimension (an empty tensor has 0 rows).</summary>
internal static class RowLayout
{
    /// <param name="integer8">Also int8 and uint8 (the output of the input's dtype); the caller checks their quantization.</param>
    public static RowNormalizationParams Prepare(KernelContext context, int maxRank, long elementOpsPerElement, bool integer8 = false)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (integer8 && input.Type is TensorType.Int8 or TensorType.UInt8)
            context.ExpectType(output, input.Type, "output");
        else
        {
            context.ExpectType(input, TensorType.Float32, "input");
            context.ExpectType(output, TensorType.Float32, "output");
        }
        if (input.Rank < 1) throw context.Error($"input '{input.Name}' must have rank >= 1, is a scalar");
        if (input.Rank > maxRank) throw context.Error($"input '{input.Name}' must have rank <= {maxRank}, has rank {input.Rank}");
        int depth = input.Dim(input.Rank - 1);
        int rows = depth == 0 ? 0 : checked((int)(input.ElementCount / depth));
        context.SetOutputShape(0, input.Shape);
        return new RowNormalizationParams(rows, depth)
        {
            Cost = new OpCost(0, CostMath.Product(input.ElementCount, elementOpsPerElement), CostMath.BytesTouched(context)),
        };
    }
}

/// <summary>
/// LOG_SOFTMAX, float32, int8 and uint8, over the last dimension of an input of rank ≥ 1 (TFLite's activations.cc
/// LogSoftmaxPrepare: output shape = input shape; int8/uint8: the input quantized per tensor, the output's scale exactly
/// 16/256 and zero point 127 (int8) or 255 (uint8)). Numerics: docs/numerics.md §LOG_SOFTMAX.
/// </summary>
[OpCodes(BuiltinOperator.LogSoftmax)]
internal sealed class LogSoftmaxDefinition : OpDefinition<LogSoftmaxParams>
{
    /// <summary>The quantized output's scale TFLite requires (TF_LITE_ENSURE_EQ with 16.0 / 256).</summary>
    public const float QuantizedOutputScale = 16f / 256;

    public override OpId Op => BuiltinOperator.LogSoftmax;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override LogSoftmaxParams PrepareParams(KernelContext context)
    {
        var rows = RowLayout.Prepare(context, int.MaxValue, 1, integer8: true);
        var input = context.Input(0);
        var p = new LogSoftmaxParams(rows.Rows, rows.Depth) { Cost = rows.Cost };
        if (input.Type == TensorType.Float32) return p;
        var output = context.Output(0);
        var inQ = QuantizedParams.PerTensor(context, input, "input");
        var outQ = QuantizedParams.PerTensor(context, output, "output");
        int zeroPoint = input.Type == TensorType.Int8 ? 127 : 255;
        if (outQ.Scale != QuantizedOutputScale || outQ.ZeroPoint != zeroPoint)
            throw context.Error($"output '{output.Name}' is quantized with scale {outQ.Scale:R} and zero point {outQ.ZeroPoint}; " +
                                $"a {input.Type.ToDisplayName()} LOG_SOFTMAX's output must have scale 16/256 and zero point {zeroPoint}, as TFLite requires");
        // TFLite's PopulateSoftmaxLookupTable with beta 1: k = −s_in (binary32), table[255 − d] = exp(k · d).
        float k = -inQ.Scale;
        var table = new float[256];
        for (int d = 0; d <= 255; d++) table[255 - d] = Numerics.SpecMath.Exp(k * d);
        return p with { QuantizedExpTable = table, InputScale = inQ.Scale, OutputZeroPoint = zeroPoint };
    }
}

/// <summary>LOG_SOFTMAX's layout (<see cref="Rows"/> rows of <see cref="Depth"/> elements, the last dimension) and, for int8/uint8, TFLite's exp table.</summary>
public sealed record LogSoftmaxParams(int Rows, int Depth) : OpParams
{
    /// <summary>
    /// int8/uint8: entry 255 − d = Exp(−s_in · d) for the distance d = max − x in [0, 255] (built at AllocateTensors);
    /// empty for float32.
    /// </summary>
    public ReadOnlyMemory<float> QuantizedExpTable { get; init; }

    /// <summary>int8/uint8: the input's scale (0 for float32).</summary>
    public float InputScale { get; init; }

    /// <summary>int8/uint8: the output's zero point, 127 or 255 (the scale is always 16/256).</summary>
    public int OutputZeroPoint { get; init; }
}

/// <summary>
/// L2_NORMALIZATION, float32, int8 and uint8, over the last dimension of an input of rank 1–4 (TFLite's l2norm.cc
/// Prepare: rank ≤ 4, and a fused activation other than NONE is refused — TFLite's kernels do not implement one; int8
/// and uint8: the input quantized per tensor, the output's scale exactly 1/128 and zero point 0 (int8) or 128 (uint8)).
/// Numerics: docs/numerics.md §L2_NORMALIZATION.
/// </summary>
[OpCodes(BuiltinOperator.L2Normalization)]
internal sealed class L2NormalizationDefinition : OpDefinition<L2NormalizationParams>
{
    /// <summary>TFLite's fixed epsilon (l2norm.cc, 0x358637BD): the norm is at least this.</summary>
    public const float Epsilon = 1e-6f;

    public override OpId Op => BuiltinOperator.L2Normalization;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override L2NormalizationParams PrepareParams(KernelContext context)
    {
        var activation = context.Options is null ? ActivationFunctionType.None : context.OptionsAs<L2NormOptions>().FusedActivation;
        if (activation != ActivationFunctionType.None)
            throw context.Error($"fused activation {activation} is not supported (TFLite's L2_NORMALIZATION accepts NONE only)");
        var rows = RowLayout.Prepare(context, 4, 1, integer8: true);
        var input = context.Input(0);
        if (input.Type == TensorType.Float32) return new L2NormalizationParams(rows.Rows, rows.Depth, Epsilon) { Cost = rows.Cost };
        var output = context.Output(0);
        var inQ = QuantizedParams.PerTensor(context, input, "input");
        var outQ = QuantizedParams.PerTensor(context, output, "output");
        int zeroPoint = input.Type == TensorType.Int8 ? 0 : 128;
        // TFLite compares the scale exactly (TF_LITE_ENSURE_EQ with 1./128.).
        if (outQ.Scale != 1f / 128 || outQ.ZeroPoint != zeroPoint)
            throw context.Error($"output '{output.Name}' is quantized with scale {outQ.Scale:R} and zero point {outQ.ZeroPoint}; " +
                                $"a {input.Type.ToDisplayName()} L2_NORMALIZATION's output must have scale 1/128 and zero point {zeroPoint}, as TFLite requires");
        // Σ (x − zp)² of a row stays inside TFLite's int32 for at most 2^31 / 255² elements.
        if (rows.Depth > int.MaxValue / (255 * 255))
            throw context.Error($"rows of {rows.Depth} elements; a quantized L2_NORMALIZATION sums at most {int.MaxValue / (255 * 255)} squares per row in int32");
        return new L2NormalizationParams(rows.Rows, rows.Depth, Epsilon) { InputZeroPoint = inQ.ZeroPoint, Cost = rows.Cost };
    }
}

/// <summary>
/// L2_NORMALIZATION's layout (rows of the last dimension) and the epsilon the float norm is raised to; int8/uint8:
/// the input's zero point (the output is fixed at scale 1/128, zero point 0 or 128).
/// </summary>
public sealed record L2NormalizationParams(int Rows, int Depth, float Epsilon) : OpParams
{
    /// <summary>The input's zero point (int8/uint8; 0 for float32).</summary>
    public int InputZeroPoint { get; init; }
}

/// <summary>
/// LOCAL_RESPONSE_NORMALIZATION's validated options and layout: rows of <see cref="Depth"/> channels (the last
/// dimension of the rank-4 input), the window radius and the finite bias, alpha and beta.
/// </summary>
public sealed record LocalResponseNormalizationParams(int Rows, int Depth, int Radius, float Bias, float Alpha, float Beta) : OpParams;

/// <summary>
/// LOCAL_RESPONSE_NORMALIZATION, float32, rank-4 input (TFLite's local_response_norm.cc Prepare), over the channels
/// within <c>radius</c> of each channel. Accel refuses a negative radius (TFLite's optimized kernel would size a
/// buffer negatively) and non-finite bias/alpha/beta. Numerics: docs/numerics.md §LOCAL_RESPONSE_NORMALIZATION.
/// </summary>
[OpCodes(BuiltinOperator.LocalResponseNormalization)]
internal sealed class LocalResponseNormalizationDefinition : OpDefinition<LocalResponseNormalizationParams>
{
    public override OpId Op => BuiltinOperator.LocalResponseNormalization;
    public override int MaxVersion => 1;

    protected override LocalResponseNormalizationParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectType(input, TensorType.Float32, "input");
        context.ExpectType(output, TensorType.Float32, "output");
        context.ExpectRank(input, 4, "input");
        var options = context.Options is null
            ? new LocalResponseNormalizationOptions(0, 0f, 0f, 0f)
            : context.OptionsAs<LocalResponseNormalizationOptions>();
        if (options.Radius < 0) throw context.Error($"radius must be >= 0, is {options.Radius}");
        if (!float.IsFinite(options.Bias)) throw context.Error($"bias must be finite, is {options.Bias}");
        if (!float.IsFinite(options.Alpha)) throw context.Error($"alpha must be finite, is {options.Alpha}");
        if (!float.IsFinite(options.Beta)) throw context.Error($"beta must be finite, is {options.Beta}");
        int depth = input.Dim(3);
        int rows = depth == 0 ? 0 : checked((int)(input.ElementCount / depth));
        // A window wider than the channels covers them all: clamp, so the window arithmetic cannot overflow.
        int radius = Math.Min(options.Radius, depth);
        context.SetOutputShape(0, input.Shape);
        long window = Math.Min(2L * radius + 1, Math.Max(depth, 1));
        return new LocalResponseNormalizationParams(rows, depth, radius, options.Bias, options.Alpha, options.Beta)
        {
            Cost = new OpCost(0, CostMath.Product(input.ElementCount, window), CostMath.BytesTouched(context)),
        };
    }
}
