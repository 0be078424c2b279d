using Accel.Kernels;

namespace Accel.Operators.Definitions;

/// <summary>SOFTMAX's validated layout: <see cref="Rows"/> independent rows of <see cref="Depth"/> elements (the last dimension), and beta.</summary>
public sealed record SoftmaxParams(float Beta, int Rows, int Depth) : OpParams
{
    /// <summary>
    /// int8/uint8: TFLite's exp table, entry 255 − d = Exp(−s_in · beta · d) for the distance d = max − x in [0, 255]
    /// (built at AllocateTensors); empty for float32.
    /// </summary>
    public ReadOnlyMemory<float> QuantizedExpTable { get; init; }

    /// <summary>int8/uint8: the output's quantization (int8: scale ≈ 1/256, zero point −128; uint8: zero point 0).</summary>
    public TensorQuantization QuantizedOutput { get; init; }

    /// <summary>int16x8: TFLite's SoftmaxInt16 multiplier and tables (built at AllocateTensors); null otherwise.</summary>
    public Int16SoftmaxParams? Int16 { get; init; }
}

/// <summary>
/// SOFTMAX, float32, int8, uint8 and int16 (int16x8: output scale 1/32768, zero points 0), over the last dimension of an input of rank ≥ 1 (TFLite's activations.cc
/// SoftmaxPrepare: output shape = input shape; beta from SoftmaxOptions, 1 when absent; int8 output scale 1/256 within
/// 0.1 % and zero point −128). Numerics: docs/numerics.md §SOFTMAX and §Quantized execution.
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxDefinition : OpDefinition<SoftmaxParams>
{
    public override OpId Op => BuiltinOperator.Softmax;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override SoftmaxParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        bool quantized = QuantizedParams.IsQuantizedType(input.Type);
        bool int16 = input.Type == TensorType.Int16;
        if (!quantized && !int16) context.ExpectType(input, TensorType.Float32, "input");
        context.ExpectType(output, input.Type, "output");
        if (input.Rank < 1) throw context.Error($"input '{input.Name}' must have rank >= 1, is a scalar");
        float beta = context.Options is null ? 1f : context.OptionsAs<SoftmaxOptions>().Beta;
        if (!float.IsFinite(beta)) throw context.Error($"beta must be finite, is {beta}");
        int depth = input.Dim(input.Rank - 1);
        int rows = depth == 0 ? 0 : checked((int)(input.ElementCount / depth));
        context.SetOutputShape(0, input.Shape);
        // One element op per element touched (the unit OpCost documents), though each costs an Exp and four flops.
        var p = new SoftmaxParams(beta, rows, depth)
        {
            Cost = new OpCost(0, input.ElementCount, CostMath.BytesTouched(context)),
        };
        if (int16) return p with { Int16 = Int16x8.Softmax(context, beta, depth) };
        return quantized ? Quantized(context, p) : p;
    }

    /// <summary>
    /// The 8-bit form TFLite's builtin kernel runs (optimized_ops::PopulateSoftmaxLookupTable and Softmax with the
    /// float table): k = −s_in · beta (binary32), table[255 − d] = Exp(k · d) for d = 0..255.
    /// </summary>
    private static SoftmaxParams Quantized(KernelContext context, SoftmaxParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        var inQ = QuantizedParams.PerTensor(context, input, "input");
        var outQ = QuantizedParams.PerTensor(context, output, "output");
        if (output.Type == TensorType.Int8 &&
            (outQ.ZeroPoint != -128 || !(Math.Abs(outQ.Scale - 1f / 256) <= 0.001f * (1f / 256))))
            throw context.Error(
                $"output '{output.Name}' has scale {outQ.Scale} and zero point {outQ.ZeroPoint}; SOFTMAX's int8 output must have " +
                "zero point -128 and scale 1/256 (within 0.1 %), as TFLite requires");
        if (output.Type == TensorType.UInt8 && outQ.ZeroPoint != 0)
            throw context.Error(
                $"output '{output.Name}' has zero point {outQ.ZeroPoint}; SOFTMAX's uint8 output must have zero point 0 " +
                "(TFLite's uint8 kernel ignores it)");
        float k = -inQ.Scale * p.Beta;
        var table = new float[256];
        for (int d = 0; d <= 255; d++) table[255 - d] = Numerics.SpecMath.Exp(k * d);
        return p with { QuantizedExpTable = table, QuantizedOutput = outQ };
    }
}
