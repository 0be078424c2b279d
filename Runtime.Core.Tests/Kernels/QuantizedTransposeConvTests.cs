using Accel.Building;
using Accel.Numerics;

namespace Accel.Tests.Kernels;

/// <summary>
/// int8 TRANSPOSE_CONV (docs/numerics.md §Quantized execution): the reference gathers what TFLite's
/// reference_integer_ops::TransposeConv scatters, so it must equal the scatter form bit for bit; bad quantization is a
/// typed error naming the tensor; uint8 is refused naming the dtype.
/// </summary>
public sealed class QuantizedTransposeConvTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private sealed record Case(int[] Input, int Filters, int Kh, int Kw, int Stride, Padding Padding, int[] OutputShape,
        sbyte[] X, sbyte[] W, int[] Bias, float[] WeightScales, QuantizationParameters InputQ, QuantizationParameters OutputQ,
        ActivationFunctionType Activation, TensorType Type = TensorType.Int8, long WeightZeroPoint = 0);

    private static sbyte[] Run(Case k)
    {
        var b = new ModelBuilder();
        int shape = b.AddConstant("output_shape", [4], k.OutputShape);
        var wq = new QuantizationParameters(k.WeightScales, k.WeightScales.Select(_ => k.WeightZeroPoint).ToArray(), 0, [], []);
        int w = b.AddConstant("weights", k.Type, [k.Filters, k.Kh, k.Kw, k.Input[3]], k.W.Select(v => (byte)v).ToArray(), wq);
        int x = b.AddTensor("input", k.Type, k.Input, k.InputQ);
        var bq = new QuantizationParameters(k.WeightScales.Select(s => s * k.InputQ.Scale[0]).ToArray(), new long[k.WeightScales.Length], 0, [], []);
        int bias = b.AddConstant("bias", TensorType.Int32, [k.Filters], System.Runtime.InteropServices.MemoryMarshal.AsBytes(k.Bias.AsSpan()), bq);
        int y = b.AddTensor("output", k.Type, k.OutputShape, k.OutputQ);
        b.AddOperator(BuiltinOperator.TransposeConv, [shape, w, x, bias], [y], new TransposeConvOptions(k.Padding, k.Stride, k.Stride, k.Activation), version: 4);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<sbyte>(0, k.X);
        interpreter.Invoke();
        return interpreter.Output<sbyte>(0).ToArray();
    }

    /// <summary>TFLite's reference_integer_ops::TransposeConv written out: scatter into int32 sums, then requantize.</summary>
    private static sbyte[] Scatter(Case k, int padTop, int padLeft, int min, int max)
    {
        int n = k.Input[0], h = k.Input[1], wi = k.Input[2], cin = k.Input[3];
        int oh = k.OutputShape[1], ow = k.OutputShape[2], cout = k.Filters;
        var sums = new int[n * oh * ow * cout];
        int inputOffset = -(int)k.InputQ.ZeroPoint[0];
        for (int b = 0; b < n; b++)
        for (int iy = 0; iy < h; iy++)
        for (int ix = 0; ix < wi; ix++)
        for (int ci = 0; ci < cin; ci++)
        for (int fy = 0; fy < k.Kh; fy++)
        for (int fx = 0; fx < k.Kw; fx++)
        for (int oc = 0; oc < cout; oc++)
        {
            int oy = iy * k.Stride - padTop + fy, ox = ix * k.Stride - padLeft + fx;
            if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
            sums[((b * oh + oy) * ow + ox) * cout + oc] +=
                (k.X[((b * h + iy) * wi + ix) * cin + ci] + inputOffset) * k.W[((oc * k.Kh + fy) * k.Kw + fx) * cin + ci];
        }
        var result = new sbyte[sums.Length];
        for (int i = 0; i < sums.Length; i++)
        {
            int oc = i % cout;
            var m = Quantization.QuantizeMultiplier((double)k.InputQ.Scale[0] * k.WeightScales[oc] / k.OutputQ.Scale[0]);
            int v = Quantization.MultiplyByQuantizedMultiplier(sums[i] + k.Bias[oc], m) + (int)k.OutputQ.ZeroPoint[0];
            result[i] = (sbyte)Math.Clamp(v, min, max);
        }
        return result;
    }

    private static Case Random(int seed, int[] input, int filters, int kh, int kw, int stride, Padding padding, int[] outputSize,
        ActivationFunctionType activation)
    {
        var random = new Random(seed);
        sbyte[] Bytes(int count) => Enumerable.Range(0, count).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
        var scales = Enumerable.Range(0, filters).Select(c => 0.02f * MathF.Pow(2, c % 3 - 1)).ToArray();
        return new Case(input, filters, kh, kw, stride, padding, [input[0], outputSize[0], outputSize[1], filters],
            Bytes(input.Aggregate(1, (a, d) => a * d)), Bytes(filters * kh * kw * input[3]),
            Enumerable.Range(0, filters).Select(_ => random.Next(-3000, 3000)).ToArray(), scales, Q(0.05f, -9), Q(0.9f, 4), activation);
    }

    [Test]
    public void Int8_transpose_conv_equals_TFLite_reference_scatter_bit_for_bit()
    {
        // SAME, stride 2, 3x3 on 4x5 → 8x10: TFLite's padding is ((8 − 1)·2 + 3 − 8... computed as for a forward conv of
        // the output: total = max((4 − 1)·2 + 3 − 8, 0) = 1 → top 0; likewise left 0.
        var k = Random(3, [2, 4, 5, 6], 5, 3, 3, 2, Padding.Same, [8, 10], ActivationFunctionType.None);
        Assert.That(Run(k), Is.EqualTo(Scatter(k, 0, 0, -128, 127)));
    }

    [Test]
    public void Int8_transpose_conv_valid_with_relu6_clamps_in_the_output_domain()
    {
        // VALID, stride 2, 3x3 on 3x3 → 7x7, no padding. RELU6 in the output's domain: [4, min(127, 4 + round(6 / 0.9))].
        var k = Random(4, [1, 3, 3, 17], 3, 3, 3, 2, Padding.Valid, [7, 7], ActivationFunctionType.Relu6);
        Assert.That(Run(k), Is.EqualTo(Scatter(k, 0, 0, 4, 4 + (int)MathF.Round(6f / 0.9f, MidpointRounding.AwayFromZero))));
    }

    [Test]
    public void Asymmetric_int8_weights_are_a_typed_error_naming_the_weights()
    {
        var k = Random(5, [1, 2, 2, 3], 4, 3, 3, 2, Padding.Same, [4, 4], ActivationFunctionType.None) with { WeightZeroPoint = 3 };
        var e = Assert.Throws<KernelException>(() => Run(k));
        Assert.That(e!.Message, Does.Contain("weights 'weights'").And.Contain("must be symmetric"));
    }

    [Test]
    public void Uint8_transpose_conv_is_refused_naming_the_dtype()
    {
        var k = Random(6, [1, 2, 2, 3], 2, 3, 3, 2, Padding.Same, [4, 4], ActivationFunctionType.None) with { Type = TensorType.UInt8 };
        var e = Assert.Throws<KernelException>(() => Run(k));
        Assert.That(e!.Message, Does.Contain("TRANSPOSE_CONV").And.Contain("uint8"));
    }
}
