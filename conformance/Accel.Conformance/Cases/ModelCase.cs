using System.Runtime.InteropServices;

namespace Accel.Conformance.Cases;

/// <summary>How a model case's input is made (conformance/cases/models.json <c>inputSets</c>).</summary>
/// <param name="Range">Absolute [min, max) of uniform values; null: the model's range.</param>
/// <param name="RelativeRange">[a, b) as fractions of the model's range (min + a·(max − min) …); used when Range is null.</param>
/// <param name="Mirror">For the photo: flip it left-right (a second real image with the same content statistics).</param>
public sealed record InputSet(string Name, string Kind, ulong Seed, double[]? Range, double[]? RelativeRange = null, bool Mirror = false)
{
    public const string PhotoKind = "photo";
    public const string UniformKind = "uniform";
}

/// <summary>A corpus model and the value range its MediaPipe graph feeds it.</summary>
/// <param name="CiBackends">
/// The backends the CI test suite runs this model's cases on (models.json <c>ciBackends</c>); null: every available
/// one. <c>accel conform</c> always runs every backend asked for. Set for the task models to keep CI time down.
/// </param>
public sealed record CorpusModelSpec(string Name, double Min, double Max, IReadOnlyList<string>? CiBackends = null);

/// <summary>
/// A corpus model × an input set. Inputs: <c>photo</c> is the astronaut photograph bilinear-resized (half-pixel
/// centres, computed in double) to the input's H×W, scaled to the model's range (min + p/255·(max − min), in double)
/// and optionally mirrored left-right; <c>uniform</c> is SplitMix64 with
/// the set's seed (input i: seed + i), values min + (max − min)·u with u = top 24 bits · 2^-24, range the set's or the
/// model's.
/// </summary>
public sealed class ModelCase : ConformanceCase
{
    public ModelCase(CorpusModelSpec model, InputSet inputSet)
        : base($"model/{model.Name}/{inputSet.Name}")
    {
        Model = model;
        InputSet = inputSet;
    }

    public CorpusModelSpec Model { get; }
    public InputSet InputSet { get; }
    public override CaseKind Kind => CaseKind.Model;

    public override string Summary => InputSet.Kind == InputSet.PhotoKind
        ? $"{Model.Name}.tflite on the astronaut photo{(InputSet.Mirror ? " mirrored left-right" : "")} scaled to [{Model.Min}, {Model.Max}]"
        : $"{Model.Name}.tflite on SplitMix64 seed {InputSet.Seed} uniform in [{RangeOf().Min}, {RangeOf().Max})";

    private (double Min, double Max) RangeOf() =>
        InputSet.Range is { Length: 2 } r ? (r[0], r[1])
        : InputSet.RelativeRange is { Length: 2 } f ? (Model.Min + f[0] * (Model.Max - Model.Min), Model.Min + f[1] * (Model.Max - Model.Min))
        : (Model.Min, Model.Max);

    public override CaseInstance Materialize(SuiteContext suite)
    {
        string path = suite.VerifiedModelPath(Model.Name, out string sha);
        using var model = Accel.Model.FromFile(path);
        var graph = model.MainSubgraph;
        var inputs = new List<byte[]>();
        for (int i = 0; i < graph.Inputs.Length; i++)
        {
            var tensor = graph.Tensors[graph.Inputs[i]];
            if (tensor.Type != TensorType.Float32)
                throw new CaseDefinitionException($"{Id}: input {i} '{tensor.Name}' is {tensor.Type.ToDisplayName()}; model cases feed float32 inputs only");
            int count = checked((int)tensor.Shape.Aggregate(1L, (a, d) => a * d));
            float[] values = InputSet.Kind switch
            {
                InputSet.PhotoKind => PhotoInput(suite, tensor, i),
                InputSet.UniformKind => Uniform(count, InputSet.Seed + (ulong)i),
                _ => throw new CaseDefinitionException($"{Id}: unknown input set kind '{InputSet.Kind}'"),
            };
            inputs.Add(MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        }
        return new CaseInstance(path, path, null, sha, inputs);
    }

    private float[] Uniform(int count, ulong seed)
    {
        var (min, max) = RangeOf();
        var rng = new SplitMix64(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = rng.NextIn(min, max);
        return values;
    }

    private float[] PhotoInput(SuiteContext suite, ModelTensor tensor, int index)
    {
        int[] shape = tensor.Shape;
        if (shape.Length != 4 || shape[0] != 1 || shape[3] != 3)
            throw new CaseDefinitionException($"{Id}: the photo input set needs an image input [1,H,W,3]; input {index} '{tensor.Name}' is [{string.Join(",", shape)}]");
        float[] pixels = Photo.ResizeBilinear(suite.Photo(), 512, 512, shape[1], shape[2]);
        var (min, max) = (Model.Min, Model.Max);
        var values = new float[pixels.Length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(min + pixels[i] / 255.0 * (max - min));
        if (InputSet.Mirror)
        {
            int height = shape[1], width = shape[2];
            for (int y = 0; y < height; y++)
            for (int x = 0; x < width / 2; x++)
            for (int c = 0; c < 3; c++)
            {
                int left = (y * width + x) * 3 + c, right = (y * width + (width - 1 - x)) * 3 + c;
                (values[left], values[right]) = (values[right], values[left]);
            }
        }
        return values;
    }
}

/// <summary>The photo's resize: bilinear, half-pixel centres, clamped taps, in double; results in pixel units (0..255).</summary>
public static class Photo
{
    public static float[] ResizeBilinear(ReadOnlySpan<byte> rgb, int srcHeight, int srcWidth, int dstHeight, int dstWidth)
    {
        const int Channels = 3;
        var result = new float[dstHeight * dstWidth * Channels];
        for (int y = 0; y < dstHeight; y++)
        {
            var (y0, y1, fy) = Taps(y, (double)srcHeight / dstHeight, srcHeight);
            for (int x = 0; x < dstWidth; x++)
            {
                var (x0, x1, fx) = Taps(x, (double)srcWidth / dstWidth, srcWidth);
                for (int c = 0; c < Channels; c++)
                {
                    double top = Lerp(rgb[(y0 * srcWidth + x0) * Channels + c], rgb[(y0 * srcWidth + x1) * Channels + c], fx);
                    double bottom = Lerp(rgb[(y1 * srcWidth + x0) * Channels + c], rgb[(y1 * srcWidth + x1) * Channels + c], fx);
                    result[(y * dstWidth + x) * Channels + c] = (float)Lerp(top, bottom, fy);
                }
            }
        }
        return result;
    }

    private static double Lerp(double a, double b, double t) => a + (b - a) * t;

    private static (int, int, double) Taps(int dst, double scale, int size)
    {
        double s = Math.Clamp((dst + 0.5) * scale - 0.5, 0.0, size - 1);
        int lo = (int)Math.Floor(s);
        return (lo, Math.Min(lo + 1, size - 1), s - lo);
    }
}
