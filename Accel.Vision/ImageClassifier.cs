namespace Accel.Vision;

/// <summary>One class: its index in the model's output, score, and label when labels were given.</summary>
public sealed record Classification(int Index, float Score, string? Label);

/// <summary>How <see cref="ImageClassifier"/> prepares images and reads scores.</summary>
public sealed record ImageClassifierOptions
{
    /// <summary>How many classes to return (default 5).</summary>
    public int TopK { get; init; } = 5;

    /// <summary>
    /// Labels by class index (see <see cref="ImageClassifier.ReadLabels"/>); null: the labels of the model's metadata
    /// (<see cref="ModelMetadata.ReadOutputLabels"/>) when it has them, else none.
    /// </summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Image preparation; default: centre crop to the input's aspect, [0, 1].</summary>
    public ImageToTensorOptions Input { get; init; } = new() { Resize = ResizeMode.Crop, Border = BorderMode.Replicate };

    /// <summary>Apply a softmax to the scores (for models whose output is logits). Default false.</summary>
    public bool Softmax { get; init; }
}

/// <summary>
/// A generic image classifier: any model with one image input and a [1, N] (or [N]) float32, uint8 or int8 output;
/// returns the top-k classes (quantized scores dequantized). Labels come from the options (a file, one a line) or else
/// from the model's TFLite Support metadata (the output's TENSOR_AXIS_LABELS file in the zip appended to the model).
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    private readonly Model? _ownedModel;
    private readonly Interpreter _interpreter;
    private readonly ImageToTensor _input;
    private readonly int _classes;
    private readonly float[] _scores;
    private readonly IReadOnlyList<string>? _labels;

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    public static ImageClassifier FromFile(string modelPath, ImageClassifierOptions? options = null, VisionModelOptions? modelOptions = null)
    {
        var model = Model.FromFile(modelPath);
        try { return new ImageClassifier(model, options, modelOptions, ownsModel: true); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>A classifier over <paramref name="model"/> (not disposed by it).</summary>
    public ImageClassifier(Model model, ImageClassifierOptions? options = null, VisionModelOptions? modelOptions = null)
        : this(model, options, modelOptions, ownsModel: false) { }

    private ImageClassifier(Model model, ImageClassifierOptions? options, VisionModelOptions? modelOptions, bool ownsModel)
    {
        Options = options ?? new ImageClassifierOptions();
        if (Options.TopK < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.TopK, "TopK must be at least 1.");
        _interpreter = VisionModel.CreateInterpreter(model, modelOptions);
        try
        {
            _input = new ImageToTensor(_interpreter, 0, Options.Input);
            var output = _interpreter.GetOutputDetails()[0];
            bool vector = output.Shape.Length == 1 || (output.Shape.Length == 2 && output.Shape[0] == 1);
            if (!vector || output.Type is not (TensorType.Float32 or TensorType.UInt8 or TensorType.Int8))
                throw new VisionModelException($"Output '{output.Name}' is {output.Type} [{string.Join(",", output.Shape)}]; a classifier's first output is [1,N] or [N] float32, uint8 or int8.");
            _classes = output.Shape[^1];
            if (Options.Labels is { } labels && labels.Count != _classes)
                throw new VisionModelException($"{labels.Count} labels were given; output '{output.Name}' has {_classes} classes.");
            _labels = Options.Labels ?? ModelMetadata.ReadOutputLabels(model, 0);
            if (Options.Labels is null && _labels is not null && _labels.Count != _classes)
                throw new VisionModelException($"The model's metadata has {_labels.Count} labels for output '{output.Name}', which has {_classes} classes.");
            _scores = new float[_classes];
        }
        catch
        {
            _interpreter.Dispose();
            throw;
        }
        _ownedModel = ownsModel ? model : null;
    }

    /// <summary>The options in use.</summary>
    public ImageClassifierOptions Options { get; }

    /// <summary>The labels in use: the options' labels, else the model metadata's, else null.</summary>
    public IReadOnlyList<string>? Labels => _labels;

    /// <summary>The number of classes.</summary>
    public int ClassCount => _classes;

    /// <summary>Labels from a text file: one a line, in class order (a trailing empty line is ignored).</summary>
    public static IReadOnlyList<string> ReadLabels(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path).ToList();
            while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            return lines;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VisionException($"Labels file '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The top <see cref="ImageClassifierOptions.TopK"/> classes for <paramref name="image"/>, best first (ties: lower index first).</summary>
    public IReadOnlyList<Classification> Classify(ImageView image)
    {
        _input.Convert(image);
        _interpreter.Invoke();
        var t = _interpreter.GetOutputTensor(0);
        switch (t.Type)
        {
            case TensorType.Float32:
                t.Read<float>().CopyTo(_scores);
                break;
            default:
                float scale = t.Quantization.Scale[0];
                long zp = t.Quantization.ZeroPoint[0];
                var bytes = t.Bytes;
                for (int i = 0; i < _classes; i++)
                    _scores[i] = ((t.Type == TensorType.UInt8 ? bytes[i] : (sbyte)bytes[i]) - zp) * scale;
                break;
        }
        if (Options.Softmax)
        {
            float max = _scores.Max(), sum = 0;
            for (int i = 0; i < _classes; i++) sum += _scores[i] = MathF.Exp(_scores[i] - max);
            for (int i = 0; i < _classes; i++) _scores[i] /= sum;
        }
        return Enumerable.Range(0, _classes)
            .OrderByDescending(i => _scores[i]).ThenBy(i => i)
            .Take(Options.TopK)
            .Select(i => new Classification(i, _scores[i], _labels?[i]))
            .ToList();
    }

    /// <summary>Disposes the interpreter (and the model when loaded by <see cref="FromFile"/>).</summary>
    public void Dispose()
    {
        _interpreter.Dispose();
        _ownedModel?.Dispose();
    }
}
