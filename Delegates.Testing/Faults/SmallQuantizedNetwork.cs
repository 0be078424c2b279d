using Accel.Building;

namespace Accel.Testing.Faults;

/// <summary>
/// The int8 variant of <see cref="SmallNetwork"/> for quantized-only delegates (Hexagon): the same float inputs and
/// output shapes, quantized at the edges, so the shared fault and concurrency tests feed and compare it as they do the
/// float one. x, x2 → QUANTIZE ×2 → CONV_2D 3×3 SAME (per-channel int8 weights) → LOGISTIC → ADD(·, x2) → DEQUANTIZE → y.
/// </summary>
public static class SmallQuantizedNetwork
{
    /// <summary>Nodes of the network, all claimed by a delegate that runs int8 CONV_2D, LOGISTIC, ADD, QUANTIZE and DEQUANTIZE.</summary>
    public const int NodeCount = 6;

    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    public static byte[] Build()
    {
        var b = new ModelBuilder("faults int8");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 3]);
        int x2 = b.AddTensor("x2", TensorType.Float32, [1, 6, 6, 4]);
        // SmallNetwork's inputs span [-1.5, 1.5] and [0, 1.43]: scales that cover them without saturating.
        int xq = b.AddTensor("x_q", TensorType.Int8, [1, 6, 6, 3], Q(0.0125f, 0));
        int x2q = b.AddTensor("x2_q", TensorType.Int8, [1, 6, 6, 4], Q(1f / 128, -128));
        var weights = Enumerable.Range(0, 4 * 3 * 3 * 3).Select(i => (byte)(sbyte)((i % 5 - 2) * 50)).ToArray();
        var filterScales = new[] { 0.0025f, 0.002f, 0.003f, 0.0015f };
        int w = b.AddConstant("w", TensorType.Int8, [4, 3, 3, 3], weights, new QuantizationParameters(filterScales, new long[4], 0, [], []));
        int[] biasValues = [1000, -500, 0, 2000];
        int bias = b.AddConstant("bias", TensorType.Int32, [4], System.Runtime.InteropServices.MemoryMarshal.AsBytes(biasValues.AsSpan()),
            new QuantizationParameters(filterScales.Select(s => 0.0125f * s).ToArray(), new long[4], 0, [], []));
        int conv = b.AddTensor("conv", TensorType.Int8, [1, 6, 6, 4], Q(0.05f, 0));
        int logistic = b.AddTensor("logistic", TensorType.Int8, [1, 6, 6, 4], Q(1f / 256, -128));
        int sum = b.AddTensor("sum", TensorType.Int8, [1, 6, 6, 4], Q(2.5f / 256, -128));
        int y = b.AddTensor("y", TensorType.Float32, [1, 6, 6, 4]);
        b.AddOperator(BuiltinOperator.Quantize, [x], [xq], version: 2);
        b.AddOperator(BuiltinOperator.Quantize, [x2], [x2q], version: 2);
        b.AddOperator(BuiltinOperator.Conv2D, [xq, w, bias], [conv], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None), 3);
        b.AddOperator(BuiltinOperator.Logistic, [conv], [logistic], version: 2);
        b.AddOperator(BuiltinOperator.Add, [logistic, x2q], [sum], new AddOptions(ActivationFunctionType.None), 2);
        b.AddOperator(BuiltinOperator.Dequantize, [sum], [y], version: 2);
        b.AddInput(x);
        b.AddInput(x2);
        b.AddOutput(y);
        return b.Build();
    }
}
