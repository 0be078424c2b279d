using Accel.Conversion;
using Accel.Optimize;
using Accel.Vision;

namespace Accel.Fuzz;

/// <summary>
/// The tools' targets: the ONNX converter (an ONNX protobuf in: a typed <see cref="OnnxConversionException"/> or a
/// .tflite that Accel's verifier accepts) and the optimizer (a float .tflite and calibration samples in: a typed
/// refusal or an optimized model). Their options and sample values come from the input's bytes, so a finding
/// reproduces from its file alone.
/// </summary>
internal static partial class FuzzTargets
{
    /// <summary>Calibration samples are made only for inputs up to this many elements; larger ones get a short sample (which must be refused).</summary>
    private const long MaxSampleElements = 1 << 22;

    private static ExecutionResult Convert(byte[] input, FuzzLimits limits)
    {
        var result = OnnxConverter.Convert(input, new ConvertOptions { NhwcIo = (input.Length & 1) == 1 });
        try
        {
            using var model = Model.FromBytes(result.Tflite);
        }
        catch (AccelException e)
        {
            // The converter said yes, so what it wrote must be a valid model: anything else is the converter's bug.
            return new(Outcome.Failure, e, $"the converter wrote a model Accel's verifier refuses: {e.GetType().Name} {e.Message}");
        }
        return Checked(limits);
    }

    /// <summary>
    /// Decode under a pixel limit (a header declaring a huge image must be a typed refusal, not an allocation), EXIF
    /// orientation applied, then read every pixel of the frame: what the vision verbs do before their tensors.
    /// </summary>
    private static ExecutionResult Decode(byte[] input, FuzzLimits limits)
    {
        var frame = ImageDecoder.Decode(input, "fuzz input", new ImageDecodeOptions { MaxPixels = limits.MaxImagePixels });
        if (frame.Width <= 0 || frame.Height <= 0)
            return new(Outcome.Failure, null, $"the decoder returned a {frame.Width}x{frame.Height} frame");
        long sum = 0;
        foreach (byte b in frame.Pixels) sum += b;
        GC.KeepAlive(sum);
        return Checked(limits);
    }

    private static ExecutionResult Quantize(byte[] input, FuzzLimits limits)
    {
        using var model = Model.FromBytes(input);
        var random = new Random(InputHash(input));
        var options = new QuantizationOptions
        {
            Mode = random.Next(6) switch { 0 => QuantizationMode.Float16, 1 => QuantizationMode.Int16x8, _ => QuantizationMode.Int8 },
            Range = (CalibrationRange)random.Next(3), // min/max, percentile, MSE
            PerTensorWeights = random.Next(2) == 0,
            MeasureLatency = false,
            MaxMemoryBytes = limits.MaxMemoryBytes,
        };
        if (options.Mode == QuantizationMode.Int8) options = options with { Interface = (IntegerInterface)random.Next(3) };
        ModelOptimizer.Quantize(model, options, Samples(model, random));
        return Checked(limits);
    }

    private static ExecutionResult Prune(byte[] input, FuzzLimits limits)
    {
        using var model = Model.FromBytes(input);
        var random = new Random(InputHash(input));
        var options = new PruningOptions
        {
            Sparsity = random.Next(5) * 0.2,
            BlockSize = random.Next(3) switch { 0 => 1, 1 => 4, _ => 16 },
            Format = random.Next(2) == 0 ? SparseFormat.Dense : SparseFormat.Sparse,
            Scope = random.Next(2) == 0 ? PruningScope.Layer : PruningScope.Global,
            MinElements = 1 + random.Next(64),
            MeasureLatency = false,
            MaxMemoryBytes = limits.MaxMemoryBytes,
        };
        ModelOptimizer.Prune(model, options, Samples(model, random));
        return Checked(limits);
    }

    /// <summary>
    /// One or two samples shaped like the model's float inputs (special floats mixed into one sample in four); an input too large to fill,
    /// or one sample in eight, gets an array one element short, which the optimizer must refuse by name.
    /// </summary>
    private static List<CalibrationSample> Samples(Model model, Random random)
    {
        var inputs = CalibrationData.FloatInputs(model);
        var samples = new List<CalibrationSample>();
        int count = 1 + random.Next(2);
        for (int s = 0; s < count; s++)
        {
            bool special = random.Next(4) == 0;
            var arrays = new List<float[]>();
            foreach (var (_, shape) in inputs)
            {
                long elements = 1;
                foreach (int d in shape) elements = d < 0 ? -1 : Math.Min(elements * d, MaxSampleElements + 1);
                int n = elements < 0 || elements > MaxSampleElements ? 1 : (int)elements - (random.Next(8) == 0 && elements > 0 ? 1 : 0);
                var values = new float[n];
                for (int k = 0; k < n; k++)
                    values[k] = special && random.Next(16) == 0
                        ? ModelMutator.InterestingFloat[random.Next(ModelMutator.InterestingFloat.Length)]
                        : (float)(random.NextDouble() * 8 - 4);
                arrays.Add(values);
            }
            samples.Add(new CalibrationSample(arrays, $"fuzz sample {s}"));
        }
        return samples;
    }

    /// <summary>FNV-1a of the input: the seed of a tool target's options and samples.</summary>
    private static int InputHash(byte[] input)
    {
        uint hash = 2166136261;
        foreach (byte b in input) hash = (hash ^ b) * 16777619;
        return unchecked((int)hash);
    }
}
