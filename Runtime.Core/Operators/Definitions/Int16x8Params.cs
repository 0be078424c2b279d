using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>How an int16x8 node turns its sum into the output (docs/numerics.md §Quantized execution, int16x8).</summary>
public enum Int16x8Rescale
{
    /// <summary>TFLite's 64-bit MultiplyByQuantizedMultiplier: the mantissa reduced to 16 bits, one rounding (CONV_2D, DEPTHWISE_CONV_2D).</summary>
    Reduced16BitMultiplier,

    /// <summary>The full 31-bit mantissa, one rounding, halves up (FULLY_CONNECTED, as the oracle computes it).</summary>
    FullMultiplierSingleRounding,
}

/// <summary>
/// What an int16x8 CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED runs from (TFLite's OpData for int16 activations and
/// int8 weights): one multiplier per output channel, the clamp in the int16 domain, whether the bias (and so TFLite's
/// accumulator) is int64 — an int32 one (FULLY_CONNECTED only) wraps the sum modulo 2^32 — and the rescale. Zero points
/// are all 0, so there are no offsets.
/// </summary>
public sealed record Int16ConvParams(ImmutableArray<QuantizedMultiplier> Multipliers, int ActivationMin, int ActivationMax, bool WideBias,
    Int16x8Rescale Rescale)
{
    /// <summary>
    /// An output from its exact sum: sum + bias (an int32 bias means TFLite's int32 accumulator, so the total is first
    /// taken modulo 2^32, as the C++ int32 sum wraps), the channel's <see cref="Rescale"/>, clamped to the activation
    /// range. The reference kernels and the CPU delegate's int16x8 nodes share this one rescale.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public short Requantize(long sum, long bias, int channel)
    {
        var m = Multipliers[channel];
        long x = WideBias ? sum + bias : unchecked((int)(sum + bias));
        int scaled = Rescale switch
        {
            Int16x8Rescale.Reduced16BitMultiplier => Quantization.MultiplyByQuantizedMultiplier(x, m),
            _ => Quantization.MultiplyByQuantizedMultiplierSingleRounding(x, m),
        };
        return (short)Math.Clamp(scaled, ActivationMin, ActivationMax);
    }
}

/// <summary>
/// What an int16x8 LOGISTIC or TANH runs from (TFLite's reference_integer_ops int16 Logistic and Tanh): the input is
/// brought to 3·2^12 steps per unit by (x · <see cref="InputMultiplier"/> + round) >> <see cref="InputLeftShift"/>, then
/// interpolated in <see cref="Table"/>, 65536 · sigmoid(i/24) for i = 0..255 adjusted for interpolation (built at
/// AllocateTensors with SpecMath ExpFloat64; docs/numerics.md §Quantized execution, int16x8). With
/// <see cref="FixedPoint"/> (a power-of-two input scale, where TFLite's optimized build runs gemmlowp instead) the input
/// is read as Q3.12 after a saturating left shift by <see cref="InputLeftShift"/> (0, or 1 for TANH at 2^-11), and the
/// multiplier and table are unused.
/// </summary>
public sealed record Int16SigmoidParams(int InputMultiplier, int InputLeftShift, ImmutableArray<ushort> Table)
{
    /// <summary>True when the node runs gemmlowp's 16-bit fixed-point logistic / tanh (TFLite's optimized_ops path).</summary>
    public bool FixedPoint { get; init; }

    /// <summary>
    /// The output for every int16 input, indexed by the input's bits ((ushort)x): the reference kernel of
    /// <paramref name="op"/> (LOGISTIC or TANH) run once over all 65,536 values, so a backend's lookup is the reference's
    /// result by construction.
    /// </summary>
    public short[] Tabulate(BuiltinOperator op)
    {
        var inputs = new short[65536];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (short)i;
        var outputs = new short[65536];
        if (op == BuiltinOperator.Logistic) Kernels.Reference.Int16x8Kernels.Logistic(inputs, outputs, this);
        else if (op == BuiltinOperator.Tanh) Kernels.Reference.Int16x8Kernels.Tanh(inputs, outputs, this);
        else throw new ArgumentException($"{op} has no int16 sigmoid form (LOGISTIC or TANH)", nameof(op));
        return outputs;
    }
}

/// <summary>
/// What an int16x8 SOFTMAX runs from (TFLite's SoftmaxPrepare for int16 and reference_ops::SoftmaxInt16): the multiplier
/// s_x · beta / (10/65535) that maps a row's difference x − max onto [−65535, 0] ≙ [−10, 0], and the two 513-entry
/// interpolated tables TFLite's LUTPopulate builds, e^v on [−10, 0] and 1/(1 + v) on [0, 1], both with output scale
/// 2/65535 (built at AllocateTensors with SpecMath ExpFloat64; docs/numerics.md §Quantized execution, int16x8).
/// </summary>
public sealed record Int16SoftmaxParams(QuantizedMultiplier InputMultiplier, ImmutableArray<short> ExpTable,
    ImmutableArray<short> OneOverOnePlusXTable)
{
    /// <summary>
    /// e for every distance d = max − x in [0, 65535], indexed by d: the reference kernel's own step
    /// (Int16x8Kernels.SoftmaxExponential), so a backend's lookup is the reference's e by construction.
    /// </summary>
    public short[] TabulateExponentials()
    {
        var table = new short[65536];
        for (int d = 0; d < table.Length; d++) table[d] = Kernels.Reference.Int16x8Kernels.SoftmaxExponential(-d, this);
        return table;
    }
}

/// <summary>
/// What an int16 RELU, RELU6 or LEAKY_RELU runs from (TFLite's QuantizedReluX&lt;int16_t&gt; and QuantizeLeakyRelu&lt;int16_t&gt;;
/// zero points 0): y = min(<see cref="Max"/>, max(<see cref="Min"/>, MultiplyByQuantizedMultiplier(x, x ≥ 0 ?
/// <see cref="NonNegative"/> : <see cref="Negative"/>))) with the 32-bit double-rounding MultiplyByQuantizedMultiplier
/// (docs/numerics.md §Quantized execution, int16x8). RELU and RELU6 use one multiplier for both signs.
/// </summary>
public sealed record Int16RescaleActivationParams(QuantizedMultiplier NonNegative, QuantizedMultiplier Negative, int Min, int Max)
{
    /// <summary>
    /// The output for every int16 input, indexed by the input's bits ((ushort)x): the reference kernel run once over all
    /// 65,536 values, so a backend's lookup is the reference's result by construction.
    /// </summary>
    public short[] Tabulate()
    {
        var inputs = new short[65536];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (short)i;
        var outputs = new short[65536];
        Kernels.Reference.Int16x8Kernels.RescaleActivation(inputs, outputs, this);
        return outputs;
    }
}

/// <summary>
/// What an int16 BATCH_MATMUL runs from (batch_matmul.cc Prepare and EvalInt16: int16 × int16 → int16, zero points 0):
/// one multiplier (double)(float)(s_lhs · s_rhs) / (double)s_out; each output is
/// clamp(MultiplyByQuantizedMultiplier(Σ_k L · R)) to int16 with the exact int64 sum and TFLite's 64-bit
/// MultiplyByQuantizedMultiplier (the mantissa reduced to 16 bits; docs/numerics.md §Quantized execution, int16x8).
/// </summary>
public sealed record Int16BatchMatMulParams(QuantizedMultiplier Multiplier);

/// <summary>TFLite's Prepare checks and multipliers for the int16x8 scheme (docs/numerics.md §Quantized execution, int16x8).</summary>
internal static class Int16x8
{
    /// <summary>The longest SOFTMAX row whose sum of exponentials (each at most 32767) stays inside TFLite's int32.</summary>
    public const int MaxSoftmaxDepth = 65536;

    /// <summary>
    /// TFLite's int16 SoftmaxPrepare: zero points 0, the output scale 1/32768 within 0.1 %; the input multiplier
    /// QuantizeMultiplier((double)s_x · (double)beta / (10.0 / 65535.0)); the exp and 1/(1 + x) tables. TFLite's int16
    /// kernel takes ranks 1 to 4. Accel also refuses what would overflow TFLite's int32 arithmetic (the rescaled difference
    /// beyond 2^31, a row sum beyond 2^31) and a beta ≤ 0 (a negative multiplier TFLite's QuantizeMultiplier does not model).
    /// </summary>
    public static Int16SoftmaxParams Softmax(KernelContext context, float beta, int depth)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        var inQ = Activation(context, input, "input");
        var outQ = Activation(context, output, "output");
        if (!(Math.Abs(outQ.Scale - 1f / 32768) <= 0.001f * (1f / 32768)))
            throw context.Error($"output '{output.Name}' has scale {outQ.Scale:R}; an int16 SOFTMAX's output must have scale 1/32768 (within 0.1 %), as TFLite requires");
        if (input.Rank > 4)
            throw context.Error($"input '{input.Name}' has rank {input.Rank}; TFLite's int16 SOFTMAX takes ranks 1 to 4");
        if (!(beta > 0))
            throw context.Error($"beta is {beta}; an int16 SOFTMAX needs beta > 0");
        if (depth > MaxSoftmaxDepth)
            throw context.Error($"rows of {depth} elements; an int16 SOFTMAX sums at most {MaxSoftmaxDepth} exponentials per row in int32");
        double real = (double)inQ.Scale * beta / (10.0 / 65535.0);
        var m = QuantizedParams.Multiplier(context, real, "the int16 SOFTMAX input multiplier s_x · beta / (10/65535)");
        // The difference x − max (down to −65535) is shifted left by the multiplier's exponent in int32.
        if (m.Shift > 15)
            throw context.Error($"input '{input.Name}' has scale {inQ.Scale:R} with beta {beta}; an int16 SOFTMAX takes s_x · beta below 5 (TFLite's int32 rescale overflows beyond)");
        const double range = 65535.0;
        var exp = Int16Table(10.0 / range, 32767, 2.0 / range, 0, SpecMath.ExpFloat64);
        var oneOverOnePlusX = Int16Table(1.0 / range, -32768, 2.0 / range, 0, v => 1.0 / (1.0 + v));
        return new Int16SoftmaxParams(m, exp, oneOverOnePlusX);
    }

    /// <summary>
    /// TFLite's LUTPopulate for int16 in double (kernels/internal/common.h LUTPopulateInt16): 512 steps over the input
    /// range, each entry the rounded sample less half the rounded error of linear interpolation at the step's midpoint
    /// (halves away from zero), clamped to int16; entry 512 the rounded value at the top. Looked up by
    /// <see cref="Kernels.Reference.Int16x8Kernels.LookUp"/>.
    /// </summary>
    internal static ImmutableArray<short> Int16Table(double inputScale, int inputZeroPoint, double outputScale, int outputZeroPoint,
        Func<double, double> transform)
    {
        double inputMin = inputScale * (short.MinValue - inputZeroPoint);
        double inputMax = inputScale * (short.MaxValue - inputZeroPoint);
        double outputMin = outputScale * (short.MinValue - outputZeroPoint);
        double outputMax = outputScale * (short.MaxValue - outputZeroPoint);
        const int steps = 512;
        double step = (inputMax - inputMin) / steps;
        double halfStep = step / 2;
        double scalingInverse = 65536.0 / (outputMax - outputMin);
        var table = new short[steps + 1];
        for (int i = 0; i < steps; i++)
        {
            double value = transform(inputMin + i * step);
            double midpoint = transform(inputMin + i * step + halfStep);
            double next = transform(inputMin + (i + 1) * step);
            double sample = Round(value * scalingInverse);
            double midpointInterpolated = Round((next * scalingInverse + Round(value * scalingInverse)) / 2);
            double midpointValue = Round(midpoint * scalingInverse);
            double bias = Round((midpointInterpolated - midpointValue) / 2);
            table[i] = (short)Math.Clamp(sample - bias, short.MinValue, short.MaxValue);
        }
        table[steps] = (short)Math.Clamp(Round(transform(inputMax) * scalingInverse), short.MinValue, short.MaxValue);
        return ImmutableArray.Create(table);

        static double Round(double x) => Math.Round(x, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// TFLite's int16 TanhPrepare / SigmoidPrepare (activations.cc): zero points 0; the output scale 2^-15 (CheckedLog2;
    /// LOGISTIC: exactly 1/32768); the input multiplier s_x · 4096 · 3 doubled until it exceeds 32767/2 (at most 31
    /// times), truncated. A power-of-two input scale (2^-12; TANH also 2^-11; CheckedLog2's tolerance included) sends
    /// TFLite's optimized build to its gemmlowp fixed-point kernel instead (optimized_ops::Logistic / Tanh for int16), and
    /// Accel with it (<see cref="Int16SigmoidParams.FixedPoint"/>). A scale whose x · multiplier overflows TFLite's int32
    /// arithmetic is refused.
    /// </summary>
    public static Int16SigmoidParams Sigmoid(KernelContext context, bool tanh)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        string op = tanh ? "TANH" : "LOGISTIC";
        var inQ = Activation(context, input, "input");
        var outQ = Activation(context, output, "output");
        if (!tanh && (double)outQ.Scale != 1.0 / 32768)
            throw context.Error($"output '{output.Name}' has scale {outQ.Scale:R}; an int16 LOGISTIC's output must have scale 1/32768, as TFLite requires");
        if (!CheckedLog2(outQ.Scale, out int outputLog2) || outputLog2 != -15)
            throw context.Error($"output '{output.Name}' has scale {outQ.Scale:R}; an int16 {op}'s output must have scale 2^-15, as TFLite requires");
        bool powerOfTwo = CheckedLog2(inQ.Scale, out int inputLog2);
        int potShift = 12 + inputLog2;
        if (powerOfTwo && (potShift == 0 || (tanh && potShift == 1)))
            return new Int16SigmoidParams(0, potShift, []) { FixedPoint = true };
        double multiplier = (double)inQ.Scale * 4096.0 * 3.0;
        int shift = 0;
        while (multiplier <= 32767.0 / 2.0 && shift <= 30)
        {
            shift++;
            multiplier *= 2.0;
        }
        // x · multiplier (+ the rounding half) must stay inside TFLite's int32 product for every int16 x.
        if (multiplier * 32768.0 > int.MaxValue)
            throw context.Error(
                $"input '{input.Name}' has scale {inQ.Scale:R}; an int16 {op} takes input scales below {int.MaxValue / 32768.0 / 12288.0:G4} " +
                "(TFLite's int32 input rescale overflows beyond)");
        return new Int16SigmoidParams((int)multiplier, shift, SigmoidTable());
    }

    /// <summary>
    /// The 256 entries TFLite's sigmoid_table_uint16 holds, reconstructed: with s(t) = 65536 / (1 + e^(−t/24)) in
    /// binary64 (SpecMath ExpFloat64), entry i = round(s(i) + (s(i + ½) − (s(i) + s(i + 1)) / 2) / 2), at most 65535 —
    /// the sample moved by half the error of linear interpolation at the segment's midpoint (plain rounding of s(i) is
    /// off by one in a third of the entries). Each entry lies far from a rounding tie, so any faithful exp gives the same
    /// integers; conformance cases that visit every index are identical to TFLite's.
    /// </summary>
    public static ImmutableArray<ushort> SigmoidTable() => SigmoidTable(SpecMath.ExpFloat64);

    /// <summary><see cref="SigmoidTable()"/> with a given binary64 exp (tests compare it with the platform's).</summary>
    internal static ImmutableArray<ushort> SigmoidTable(Func<double, double> exp)
    {
        var table = new ushort[256];
        for (int i = 0; i < table.Length - 1; i++)
        {
            double value = SigmoidTableValue(i, exp);
            table[i] = (ushort)Math.Min(Math.Round(value, MidpointRounding.AwayFromZero), 65535.0);
        }
        // The last entry (only ever the upper end of the interpolation below index 255) is the full-scale 65535 in
        // TFLite's table, not the 65534 of the formula: measured, TANH's outputs at index 254 tell them apart.
        table[^1] = ushort.MaxValue;
        return ImmutableArray.Create(table);
    }

    /// <summary>Entry i of <see cref="SigmoidTable()"/> before rounding.</summary>
    internal static double SigmoidTableValue(int i, Func<double, double> exp)
    {
        double Sample(double t) => 65536.0 / (1.0 + exp(-t / 24.0));
        double value = Sample(i), next = Sample(i + 1), midpoint = Sample(i + 0.5);
        return value + (midpoint - (value + next) / 2) / 2;
    }

    /// <summary>TFLite's CheckedLog2 in binary32: log2 x rounded to an integer, true when within 1e-3 of it.</summary>
    private static bool CheckedLog2(float x, out int log2)
    {
        float xLog2 = SpecMath.Log(x) * (1.0f / SpecMath.Log(2.0f));
        float rounded = MathF.Round(xLog2, MidpointRounding.AwayFromZero);
        log2 = (int)rounded;
        return MathF.Abs(xLog2 - rounded) < 1e-3f;
    }

    /// <summary>An int16 activation's per-tensor quantization: a valid scale and zero point 0 (TFLite's TF_LITE_ENSURE_EQ).</summary>
    public static TensorQuantization Activation(KernelContext context, Tensor tensor, string role)
    {
        context.ExpectType(tensor, TensorType.Int16, role);
        var q = QuantizedParams.PerTensor(context, tensor, role);
        if (q.ZeroPoint != 0)
            throw context.Error($"{role} '{tensor.Name}' is int16 with zero point {q.ZeroPoint}; int16 activations must be symmetric (zero point 0)");
        return q;
    }

    /// <summary>A multiplier whose shift the rescale's formula can take (the 64-bit form's right shift 15 − shift ≥ 1).</summary>
    private static QuantizedMultiplier Multiplier(KernelContext context, double real, string what, Int16x8Rescale rescale)
    {
        var m = QuantizedParams.Multiplier(context, real, what);
        if (rescale == Int16x8Rescale.Reduced16BitMultiplier && m.Shift > Quantization.MaxInt64MultiplierShift)
            throw context.Error($"{what} {real:R} is too large for the int16x8 requantization (at most 2^{Quantization.MaxInt64MultiplierShift})");
        return m;
    }

    /// <summary>
    /// The int16x8 params of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV: int16 input and output with zero point 0,
    /// symmetric int8 weights per tensor or per channel along <paramref name="weightsChannelAxis"/>, an optional int64
    /// bias of one value per channel (FULLY_CONNECTED also takes int32). Channel c's multiplier is (double)s_x · (double)s_w[c] / (double)s_y
    /// (PopulateConvolutionQuantizationParams); for FULLY_CONNECTED with per-tensor weights it is TFLite's
    /// GetQuantizedConvolutionMultipler instead: (double)(s_x · s_w) with the product rounded to binary32, / (double)s_y,
    /// and the bias scale must equal s_x · s_w within 1e-6 relative (as for int8).
    /// </summary>
    public static Int16ConvParams Convolution(KernelContext context, Tensor input, Tensor weights, Tensor? bias, Tensor output,
        ActivationFunctionType activation, int weightsChannelAxis, int channels, Int16x8Op op)
    {
        bool perTensorFullyConnected = op == Int16x8Op.FullyConnected && weights.Quantization.Scale.Length == 1;
        var inQ = Activation(context, input, "input");
        var outQ = Activation(context, output, "output");
        context.ExpectType(weights, TensorType.Int8, "weights");
        var (scales, _) = QuantizedParams.Weights(context, weights, "weights", weightsChannelAxis, channels);
        bool wide = true;
        if (bias is not null)
        {
            if (bias.Type is not (TensorType.Int64 or TensorType.Int32))
                throw context.Error($"bias '{bias.Name}' is {bias.Type.ToDisplayName()}; an int16x8 node takes an int64 (or int32) bias");
            wide = bias.Type == TensorType.Int64;
            // DEPTHWISE_CONV_2D, TRANSPOSE_CONV: TFLite's Prepare refuses an int32 bias. CONV_2D: TFLite accepts one but reads
            // it as int64 (the oracle's outputs are far off), so Accel refuses it rather than give it a meaning TFLite does not have.
            if (!wide && op != Int16x8Op.FullyConnected)
                throw context.Error($"bias '{bias.Name}' is int32; an int16x8 {Name(op)} needs an int64 bias");
            if (bias.Sparsity is not null) throw context.Error($"bias '{bias.Name}' is sparse; it must be densified first");
            if (bias.Rank != 1 || bias.Dim(0) != channels)
                throw context.Error($"bias '{bias.Name}' must have shape [{channels}] (one value per output channel), has [{string.Join(",", bias.Shape.ToArray())}]");
            if (perTensorFullyConnected)
            {
                var bq = bias.Quantization;
                if (!bq.IsQuantized) throw context.Error($"bias '{bias.Name}' has no quantization scale");
                double productScale = (double)inQ.Scale * scales[0];
                double biasScale = bq.Scale[0];
                if (Math.Abs(productScale - biasScale) > 1e-6 * Math.Min(productScale, biasScale))
                    throw context.Error(
                        $"bias '{bias.Name}' has scale {biasScale:R}; it must equal input scale × weight scale = {productScale:R} (within 1e-6 relative)");
            }
        }
        var rescale = op == Int16x8Op.FullyConnected ? Int16x8Rescale.FullMultiplierSingleRounding : Int16x8Rescale.Reduced16BitMultiplier;
        var multipliers = new QuantizedMultiplier[channels];
        for (int c = 0; c < channels; c++)
        {
            double real = perTensorFullyConnected
                ? (double)(inQ.Scale * scales[c]) / outQ.Scale
                : (double)inQ.Scale * scales[c] / outQ.Scale;
            multipliers[c] = Multiplier(context, real, $"output channel {c}'s multiplier", rescale);
        }
        var (min, max) = QuantizedParams.Activation(context, activation, output, outQ);
        return new Int16ConvParams([.. multipliers], min, max, wide, rescale);
    }

    /// <summary>
    /// The longest int16 BATCH_MATMUL reduction: |Σ L · R| ≤ K · 2^30 stays below TFLite's assumed 2^47 (and the 64-bit
    /// rescale's product below 2^62).
    /// </summary>
    public const int MaxBatchMatMulDepth = 1 << 17;

    /// <summary>
    /// BATCH_MATMUL on int16 (batch_matmul.cc: both operands int16 — TFLite has no 16x8 form of this op — and an int16
    /// output, zero points 0, per tensor): the multiplier is GetQuantizedConvolutionMultipler without bias, the scale
    /// product rounded to binary32, divided in double. Per-channel operands are refused (TFLite reads one scale).
    /// </summary>
    public static Int16BatchMatMulParams BatchMatMul(KernelContext context, int depth)
    {
        var lq = Activation(context, context.Input(0), "lhs");
        var rq = Activation(context, context.Input(1), "rhs");
        var oq = Activation(context, context.Output(0), "output");
        if (depth > MaxBatchMatMulDepth)
            throw context.Error($"the inner dimension is {depth}; an int16 BATCH_MATMUL sums at most {MaxBatchMatMulDepth} products (TFLite's 64-bit rescale assumes |sum| < 2^47)");
        float product = lq.Scale * rq.Scale;
        var m = Multiplier(context, (double)product / oq.Scale, "the output multiplier s_lhs·s_rhs/s_out", Int16x8Rescale.Reduced16BitMultiplier);
        return new Int16BatchMatMulParams(m);
    }

    /// <summary>
    /// RELU, RELU6 on int16 (activations.cc ReluPrepare and QuantizedReluX&lt;int16_t&gt;): zero points 0; the multiplier
    /// QuantizeMultiplier(s_x / s_y) (a binary32 quotient widened to double); the clamp [max(−32768, round(low / s_y)),
    /// min(32767, round(high / s_y))] (the type's maximum when high is +∞), the upper bound applied last.
    /// </summary>
    public static Int16RescaleActivationParams ReluX(KernelContext context, float low, float high)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        var inQ = Activation(context, input, "input");
        var outQ = Activation(context, output, "output");
        var m = QuantizedParams.Multiplier(context, inQ.Scale / outQ.Scale, "the input-to-output multiplier (input scale / output scale)");
        int min = Math.Max(short.MinValue, Quantization.QuantizeBound(low, outQ.Scale, 0));
        int max = float.IsPositiveInfinity(high) ? short.MaxValue : Math.Min(short.MaxValue, Quantization.QuantizeBound(high, outQ.Scale, 0));
        return new Int16RescaleActivationParams(m, m, min, max);
    }

    /// <summary>
    /// LEAKY_RELU on int16 (activations.cc LeakyReluPrepare and QuantizeLeakyRelu&lt;int16_t&gt;): zero points 0; the
    /// identity multiplier QM(s_x / s_y) for x ≥ 0 and the alpha multiplier QM(s_x · alpha / s_y) below (both binary32
    /// expressions widened to double; a negative alpha keeps a negative mantissa, as for int8), clamped to int16.
    /// </summary>
    public static Int16RescaleActivationParams LeakyRelu(KernelContext context, float alpha)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        var inQ = Activation(context, input, "input");
        var outQ = Activation(context, output, "output");
        var identity = QuantizedParams.Multiplier(context, inQ.Scale / outQ.Scale, "the identity multiplier (input scale / output scale)");
        var negative = QuantizedLookup.SignedMultiplier(context, inQ.Scale * alpha / outQ.Scale);
        return new Int16RescaleActivationParams(identity, negative, short.MinValue, short.MaxValue);
    }

    /// <summary>
    /// MAXIMUM, MINIMUM on int16 (maximum_minimum.cc compares the stored integers and checks no quantization): Accel
    /// requires the int16x8 scheme's zero point 0 on both inputs and the output, as every int16 activation.
    /// </summary>
    public static void StoredComparison(KernelContext context)
    {
        Activation(context, context.Input(0), "input 1");
        Activation(context, context.Input(1), "input 2");
        Activation(context, context.Output(0), "output");
    }

    private static string Name(Int16x8Op op) => op switch
    {
        Int16x8Op.Conv2D => "CONV_2D",
        Int16x8Op.DepthwiseConv2D => "DEPTHWISE_CONV_2D",
        Int16x8Op.TransposeConv => "TRANSPOSE_CONV",
        _ => "FULLY_CONNECTED",
    };

    /// <summary>
    /// ADD / SUB on int16 (add.cc, sub.cc Prepare, general_scale_int16): TFLite's int8 formula with left shift 15 and
    /// all zero points 0. The legacy power-of-two path (pot_scale_int16 = true, the schema's default, which TFLite's
    /// converter sets false for 16x8 models) is not built and refused.
    /// </summary>
    public static QuantizedAddParams Add(KernelContext context, ActivationFunctionType activation, bool potScaleInt16)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        var aq = Activation(context, a, "input 1");
        var bq = Activation(context, b, "input 2");
        var oq = Activation(context, output, "output");
        if (potScaleInt16)
            throw context.Error("pot_scale_int16 is set (TFLite's legacy power-of-two int16 path); Accel runs int16 ADD/SUB with general scales only (pot_scale_int16 = false)");
        const int leftShift = 15;
        double twiceMaxInputScale = 2 * Math.Max(aq.Scale, bq.Scale);
        var m1 = QuantizedParams.Multiplier(context, aq.Scale / twiceMaxInputScale, "input 1's multiplier");
        var m2 = QuantizedParams.Multiplier(context, bq.Scale / twiceMaxInputScale, "input 2's multiplier");
        var mo = QuantizedParams.Multiplier(context, twiceMaxInputScale / ((double)(1 << leftShift) * oq.Scale), "the output multiplier");
        var (min, max) = QuantizedParams.Activation(context, activation, output, oq);
        return new QuantizedAddParams(0, 0, 0, leftShift, m1, m2, mo, min, max);
    }

    /// <summary>MUL on int16 (mul.cc Prepare): one multiplier (double)s_a · (double)s_b / (double)s_y, zero points 0.</summary>
    public static QuantizedMulParams Mul(KernelContext context, ActivationFunctionType activation)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        var aq = Activation(context, a, "input 1");
        var bq = Activation(context, b, "input 2");
        var oq = Activation(context, output, "output");
        var mo = QuantizedParams.Multiplier(context, (double)aq.Scale * bq.Scale / oq.Scale, "the output multiplier");
        var (min, max) = QuantizedParams.Activation(context, activation, output, oq);
        return new QuantizedMulParams(0, 0, 0, mo, min, max);
    }

    /// <summary>
    /// DIV on int16 (div.cc Prepare, the same as for 8 bits: QM(s1 / (s2 · s_out)) in binary32 then double), every zero
    /// point 0 (the int16x8 rule; TFLite checks none).
    /// </summary>
    public static QuantizedMulParams Divide(KernelContext context, ActivationFunctionType activation)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        return QuantizedParams.Divide(context, activation, Activation(context, a, "input 1"), Activation(context, b, "input 2"),
            Activation(context, output, "output"));
    }
}

/// <summary>Which int16x8 node <see cref="Int16x8.Convolution"/> prepares (their bias and rescale rules differ).</summary>
internal enum Int16x8Op
{
    Conv2D,
    DepthwiseConv2D,
    FullyConnected,
    TransposeConv,
}
