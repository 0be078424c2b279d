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
}
