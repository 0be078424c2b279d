using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Float32 CONV_2D with 1–3 output channels (the CPU delegate's few-output-channel path, vectorized across pixels at
/// this run's width): with a bias free of −0 (the ring padded with zero columns, every pixel in the vector tiles) and
/// without one or with a −0 in it (borders on the scalar GEMM), 5 and 8 input channels, SAME and VALID, stride 2 along
/// y and dilation 2 along x, rows of one vector and more; inputs with special values, and the chain that underflows to −0
/// (−1e-30 × 1e-30 with every other input −0) whose sign the zero taps of a padded ring would change without a bias.
/// </summary>
public static partial class OpCases
{
    public static IEnumerable<BitExactCase> FewOutputChannelConvCases(Random random)
    {
        var forms = new[] { "same", "valid", "stride2y", "dilation2x" };
        foreach (string bias in new[] { "bias", "none", "-0" })
            foreach (int cout in new[] { 1, 2, 3 })
                foreach (int cin in new[] { 5, 8 })
                {
                    string form = forms[random.Next(forms.Length)];
                    int width = new[] { 20, 37, 150 }[random.Next(3)];
                    yield return FewOutputChannelConv(random, $"CONV_2D 3x3 {form} {cin}->{cout} width {width}, {bias}", cin, cout, width, form, bias, underflow: false);
                }
        foreach (string bias in new[] { "+0", "none", "-0" })
            yield return FewOutputChannelConv(random, $"CONV_2D 3x3 same 8->1 width 40, {bias}: an underflowed −0", 8, 1, 40, "same", bias, underflow: true);
    }

    private static BitExactCase FewOutputChannelConv(Random random, string name, int cin, int cout, int width, string form, string bias, bool underflow)
    {
        int height = 7, kernel = 3;
        int strideH = form == "stride2y" ? 2 : 1, dilationW = form == "dilation2x" ? 2 : 1;
        var padding = form == "valid" ? Padding.Valid : Padding.Same;
        int outHeight = padding == Padding.Same ? (height + strideH - 1) / strideH : (height - kernel) / strideH + 1;
        int outWidth = padding == Padding.Same ? width : width - (kernel - 1) * dilationW;
        var weights = Values(random, cout * kernel * kernel * cin, 1f);
        var input = Values(random, height * width * cin, 4f, specialFraction: 0.02);
        // No infinite or NaN weight (which keeps the ring unpadded); the specials are in the input.
        float[] biasValues = bias == "none" ? [] : Values(random, cout, 1f);
        if (bias == "-0") biasValues[cout - 1] = -0f;
        if (bias == "+0") Array.Clear(biasValues);
        if (underflow)
        {
            // Output (0, 0): its first in-bounds product (tap (1, 1), channel 0) underflows to −0, every other input −0.
            for (int i = 0; i < weights.Length; i++) weights[i] = 0.25f + i % 5;
            weights[4 * cin] = 1e-30f;
            Array.Fill(input, -0f);
            input[0] = -1e-30f;
        }
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", TensorType.Float32, [1, height, width, cin]);
        int y = mb.AddTensor("y", TensorType.Float32, [1, outHeight, outWidth, cout]);
        int b = bias == "none" ? -1 : mb.AddConstant("b", [cout], biasValues);
        mb.AddOperator(BuiltinOperator.Conv2D, [x, mb.AddConstant("w", [cout, kernel, kernel, cin], weights), b], [y],
            new Conv2DOptions(padding, 1, strideH, cout == 2 ? ActivationFunctionType.Relu6 : ActivationFunctionType.None, DilationW: dilationW));
        mb.AddInput(x);
        mb.AddOutput(y);
        return new BitExactCase(name, mb.Build(), [input]);
    }
}
