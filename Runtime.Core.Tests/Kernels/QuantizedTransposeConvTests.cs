using Accel.Building;
using Accel.Numerics;

namespace Accel.Tests.Kernels;

/// <summary>
/// int8 TRANSPOSE_CONV (docs/numerics.md §Quantized execution): the reference gathers what TFLite's
/// reference_integer_ops::TransposeConv scatters, so it must equal the scatter form bit for bit; bad quantization is a
/// typed error naming the tensor; uint8 (per-tensor weights with a zero point) equals TFLite's uint8 scatter too.
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

    /// <summary>
    /// uint8 (TFLite's reference_ops::TransposeConv for uint8): per-tensor uint8 weights with a zero point, scattered
    /// (x − z_x)·(w − z_w) into int32 sums, + bias, one multiplier, + z_y, the RELU clamp — the gather must equal it.
    /// </summary>
    [Test]
    public void Uint8_transpose_conv_with_weight_zero_point_equals_TFLite_reference_scatter_bit_for_bit()
    {
        var random = new Random(6);
        int[] input = [1, 3, 2, 5];
        const int filters = 3, kh = 3, kw = 2, stride = 2;
        int[] outputShape = [1, 6, 4, filters];
        byte[] x = Enumerable.Range(0, input.Aggregate(1, (a, d) => a * d)).Select(_ => (byte)random.Next(256)).ToArray();
        byte[] w = Enumerable.Range(0, filters * kh * kw * input[3]).Select(_ => (byte)random.Next(256)).ToArray();
        int[] bias = Enumerable.Range(0, filters).Select(_ => random.Next(-3000, 3000)).ToArray();
        const float inputScale = 0.05f, weightScale = 0.02f, outputScale = 0.4f;
        const int inputZero = 140, weightZero = 119, outputZero = 9;

        var b = new ModelBuilder();
        int shape = b.AddConstant("output_shape", [4], outputShape);
        int wt = b.AddConstant("weights", TensorType.UInt8, [filters, kh, kw, input[3]], w, Q(weightScale, weightZero));
        int xt = b.AddTensor("input", TensorType.UInt8, input, Q(inputScale, inputZero));
        int bt = b.AddConstant("bias", TensorType.Int32, [filters], System.Runtime.InteropServices.MemoryMarshal.AsBytes(bias.AsSpan()),
            Q(inputScale * weightScale, 0));
        int yt = b.AddTensor("output", TensorType.UInt8, outputShape, Q(outputScale, outputZero));
        b.AddOperator(BuiltinOperator.TransposeConv, [shape, wt, xt, bt], [yt], new TransposeConvOptions(Padding.Same, stride, stride, ActivationFunctionType.Relu), version: 4);
        b.AddInput(xt);
        b.AddOutput(yt);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<byte>(0, x);
        interpreter.Invoke();
        var actual = interpreter.Output<byte>(0).ToArray();

        // TFLite's SAME padding: half (rounded down) of what a forward convolution of the output would pad to give the input.
        int padTop = Math.Max(0, (input[1] - 1) * stride + kh - outputShape[1]) / 2;
        int padLeft = Math.Max(0, (input[2] - 1) * stride + kw - outputShape[2]) / 2;
        var sums = new int[outputShape.Aggregate(1, (a, d) => a * d)];
        for (int iy = 0; iy < input[1]; iy++)
        for (int ix = 0; ix < input[2]; ix++)
        for (int ci = 0; ci < input[3]; ci++)
        for (int fy = 0; fy < kh; fy++)
        for (int fx = 0; fx < kw; fx++)
        for (int oc = 0; oc < filters; oc++)
        {
            int oy = iy * stride - padTop + fy, ox = ix * stride - padLeft + fx;
            if (oy < 0 || oy >= outputShape[1] || ox < 0 || ox >= outputShape[2]) continue;
            sums[(oy * outputShape[2] + ox) * filters + oc] +=
                (x[(iy * input[2] + ix) * input[3] + ci] - inputZero) * (w[((oc * kh + fy) * kw + fx) * input[3] + ci] - weightZero);
        }
        var m = Quantization.QuantizeMultiplier((double)inputScale * weightScale / outputScale);
        var expected = sums.Select((sum, i) =>
            (byte)Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(sum + bias[i % filters], m) + outputZero, outputZero, 255)).ToArray();
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(expected.Distinct().Count(), Is.GreaterThan(20), "unsaturated outputs: the comparison means something");
    }
}
