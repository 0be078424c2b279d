using Accel.Building;
using Accel.Optimize;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// The corpus models' int8 versions, made as a user makes them: ModelOptimizer.Quantize with Mode = Int8 (the library
/// behind `accel quantize --mode int8 -c astronaut.png`), calibrated on the corpus photo with each model's input
/// normalisation. Shared by the Hexagon tests and the device backends' int8 corpus tests
/// (<see cref="Contract.Int8CorpusContractTests"/>), so every backend runs the same bytes.
/// </summary>
public static class Int8CorpusModels
{
    /// <summary>The mean and standard deviation mapping the photo's 0..255 pixels to the model's input range.</summary>
    public static (float Mean, float Std) Normalization(string name) =>
        name.StartsWith("face_detection", StringComparison.Ordinal) ? (127.5f, 127.5f) : (0f, 255f);

    /// <summary>The corpus model <paramref name="name"/> quantized to int8 with <see cref="Normalization"/>'s mean and std.</summary>
    public static byte[] Quantize(string name)
    {
        var (mean, std) = Normalization(name);
        return Quantize(name, mean, std);
    }

    /// <summary>The corpus model <paramref name="name"/> quantized to int8 as `accel quantize --mode int8 -c astronaut.png` does.</summary>
    public static byte[] Quantize(string name, float mean, float std)
    {
        using var source = Model.FromBytes(CorpusModels.Load(name));
        // A test harness: its edge may read the environment.
        string photo = Path.Combine(AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).Root, "images", "astronaut.png");
        if (!File.Exists(photo)) Assert.Fail($"the corpus photo {photo} is missing: run scripts/ensure-assets.sh");
        var samples = CalibrationData.FromPaths(source, [photo], mean, std).ToArray();
        return ModelOptimizer.Quantize(source, new QuantizationOptions { Mode = QuantizationMode.Int8, MeasureLatency = false }, samples).Model;
    }

    /// <summary>
    /// A small float network quantized to int8 with per-unit FULLY_CONNECTED weights, so the integer forms the quantizer
    /// writes for TRANSPOSE_CONV, a constant-rhs BATCH_MATMUL and per-unit FULLY_CONNECTED meet a device: x [1, 5, 5, 4] →
    /// CONV_2D 3×3 (8, RELU) → TRANSPOSE_CONV 3×3 stride 2 (6) → RESHAPE [100, 6] → BATCH_MATMUL with a constant [6, 5] →
    /// FULLY_CONNECTED (3) → y [100, 3]; calibrated on 8 pseudo-random inputs in [−1, 1]. Returns the int8 model and
    /// one further input.
    /// </summary>
    public static (byte[] Model, float[][] Inputs) QuantizedLayoutNetwork()
    {
        var rng = new Random(61);
        float[] Values(int count, float scale) => Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        var b = new ModelBuilder("quantizer layout network");
        int x = b.AddTensor("x", TensorType.Float32, [1, 5, 5, 4]);
        int c = b.AddTensor("conv", TensorType.Float32, [1, 5, 5, 8]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, b.AddConstant("conv/w", [8, 3, 3, 4], Values(288, 0.4f)), b.AddConstant("conv/b", [8], Values(8, 0.1f))], [c],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu));
        int t = b.AddTensor("tconv", TensorType.Float32, [1, 10, 10, 6]);
        b.AddOperator(BuiltinOperator.TransposeConv,
            [b.AddConstant("tconv/output_shape", [4], [1, 10, 10, 6]), b.AddConstant("tconv/w", [6, 3, 3, 8], Values(432, 0.3f)), c,
             b.AddConstant("tconv/b", [6], Values(6, 0.1f))],
            [t], new TransposeConvOptions(Padding.Same, 2, 2, ActivationFunctionType.None), version: 3);
        int r = b.AddTensor("rows", TensorType.Float32, [100, 6]);
        b.AddOperator(BuiltinOperator.Reshape, [t, b.AddConstant("rows/shape", [2], [100, 6])], [r], new ReshapeOptions([100, 6]));
        int m = b.AddTensor("bmm", TensorType.Float32, [100, 5]);
        b.AddOperator(BuiltinOperator.BatchMatMul, [r, b.AddConstant("bmm/rhs", [6, 5], Values(30, 0.8f))], [m], new BatchMatMulOptions(false, false));
        int y = b.AddTensor("y", TensorType.Float32, [100, 3]);
        float[] fcWeights = Values(15, 1f);
        for (int i = 0; i < 5; i++) fcWeights[i] *= 0.1f;   // unit 0's weights ten times smaller: per-unit scales differ
        b.AddOperator(BuiltinOperator.FullyConnected, [m, b.AddConstant("fc/w", [3, 5], fcWeights), b.AddConstant("fc/b", [3], Values(3, 0.1f))], [y],
            new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        var samples = Enumerable.Range(0, 9).Select(i => new CalibrationSample([Values(100, 1f)], $"random {i}")).ToArray();
        using var source = Model.FromBytes(b.Build());
        var quantized = ModelOptimizer.Quantize(source,
            new QuantizationOptions { Mode = QuantizationMode.Int8, PerChannelFullyConnected = true, MeasureLatency = false }, samples[..8]).Model;
        return (quantized, samples[8].Inputs.ToArray());
    }
}
