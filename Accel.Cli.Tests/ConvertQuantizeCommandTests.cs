using System.Text.Json;

namespace Accel.Cli.Tests;

/// <summary><c>accel convert --quantize</c>: the converted model quantized by accel quantize in the same command.</summary>
public sealed class ConvertQuantizeCommandTests
{
    private static string BlazeFace()
    {
        string path = Path.Combine(CliHarness.CacheDirectory, "onnx", "face_detection_front_128x128_barracuda.onnx");
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/fetch-onnx-models.sh (scripts/ensure-assets.sh does)");
        return path;
    }

    private static string Photo()
    {
        string path = Path.Combine(CliHarness.CacheDirectory, "images", "astronaut.png");
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/ensure-assets.sh");
        return path;
    }

    private static string[] OperatorNames(string tflite)
    {
        using var model = Model.FromFile(tflite);
        return model.MainSubgraph.Operators.Select(o => model.OperatorCodeOf(o).Name).ToArray();
    }

    [Test]
    public void QuantizeFp16WritesFloat16WeightsBehindDequantizeAndBothReports()
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "bf16.tflite"), report = Path.Combine(dir.Path, "convert.json");
        var r = CliHarness.Run("convert", BlazeFace(), "-o", output, "--quantize", "fp16", "--report", report, "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("-> float model:").And.Contain("quantize fp16: " + output));
        Assert.That(OperatorNames(output), Does.Contain("DEQUANTIZE"));
        using (var json = JsonDocument.Parse(File.ReadAllText(report)))
        {
            Assert.That(json.RootElement.GetProperty("quantize").GetString(), Is.EqualTo("fp16"));
            Assert.That(json.RootElement.GetProperty("quantizationReport").GetString(), Is.EqualTo(output + ".report.json"));
        }
        using (var q = JsonDocument.Parse(File.ReadAllText(output + ".report.json")))
            Assert.That(q.RootElement.GetProperty("outputs").GetArrayLength(), Is.EqualTo(4), "the four BlazeFace heads are evaluated");
        Assert.That(Directory.GetFiles(dir.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "bf16.tflite", "bf16.tflite.report.json", "convert.json" }),
            "the float model stays in a temporary folder");
    }

    [Test]
    public void QuantizeInt8CalibratesOnTheGivenImagesAndWritesAnIntegerModel()
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "bf8.tflite"), qreport = Path.Combine(dir.Path, "q.json");
        var r = CliHarness.Run("convert", BlazeFace(), "-o", output, "--quantize", "int8", "--calibration", Photo(),
            "--mean", "127.5", "--std", "127.5", "--quantize-report", qreport, "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("quantize int8: " + output));
        var codes = OperatorNames(output);
        Assert.That(codes, Does.Contain("QUANTIZE").And.Contain("CONV_2D"));
        using var model = Model.FromFile(output);
        var g = model.MainSubgraph;
        Assert.That(g.Operators.Where(o => model.OperatorCodeOf(o).Name == "CONV_2D").Select(o => g.Tensors[o.Inputs[0]].Type),
            Is.All.EqualTo(TensorType.Int8), "every CONV_2D runs on int8 activations");
        Assert.That(File.Exists(qreport), Is.True);
    }

    [Test]
    public void QuantizeInt16x8WritesInt16ActivationsForEveryConvolution()
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "bf16x8.tflite");
        var r = CliHarness.Run("convert", BlazeFace(), "-o", output, "--quantize", "int16x8", "--calibration", Photo(),
            "--mean", "127.5", "--std", "127.5", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("quantize int16x8: " + output));
        using var model = Model.FromFile(output);
        var g = model.MainSubgraph;
        Assert.That(g.Operators.Where(o => model.OperatorCodeOf(o).Name == "CONV_2D").Select(o => g.Tensors[o.Inputs[0]].Type),
            Is.All.EqualTo(TensorType.Int16), "every CONV_2D runs on int16 activations");
    }

    [Test]
    public void QuantizeDynamicWritesInt8WeightsWithFloatActivations()
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "bfd.tflite");
        var r = CliHarness.Run("convert", BlazeFace(), "-o", output, "--quantize", "dynamic", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("quantize dynamic: " + output));
        using var model = Model.FromFile(output);
        var g = model.MainSubgraph;
        var convs = g.Operators.Where(o => model.OperatorCodeOf(o).Name == "CONV_2D").ToArray();
        Assert.That(convs.Select(o => g.Tensors[o.Inputs[0]].Type), Is.All.EqualTo(TensorType.Float32), "activations stay float");
        Assert.That(convs.Any(o => g.Tensors[o.Inputs[1]].Type == TensorType.Int8), "the large convolution filters are int8 (hybrid)");
        Assert.That(OperatorNames(output), Does.Not.Contain("QUANTIZE"));
    }

    [TestCase("--quantize", "int4", "unknown --quantize 'int4'")]
    [TestCase("--quantize", "int8", "needs --calibration")]
    [TestCase("--quantize", "int16x8", "--quantize int16x8 needs --calibration")]
    [TestCase("--mean", "127.5", "--mean is a quantization option")]
    [TestCase("--calibration", "x.png", "--calibration is a quantization option")]
    public void BadQuantizeOptionsAreUsageErrorsBeforeConverting(string option, string value, string message)
    {
        using var dir = new TempDirectory();
        var r = CliHarness.Run("convert", BlazeFace(), "-o", Path.Combine(dir.Path, "m.tflite"), option, value);
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain(message));
        Assert.That(r.Stdout, Does.Not.Contain("float model"), "nothing was converted");
        Assert.That(Directory.GetFiles(dir.Path), Is.Empty);
    }
    /// <summary>Every accel quantize option convert declares reaches quantize as given (switches, single and repeated values).</summary>
    [Test]
    public void EveryQuantizationOptionIsDeclaredOnBothCommandsAndForwardedAsGiven()
    {
        var quantize = OptimizeCommands.DeclareQuantize(new CliContext(TextWriter.Null, TextWriter.Null, CliEnvironment.Read(_ => null))).Options.Select(o => o.Name).ToHashSet();
        var convert = ConvertCommand.Declare(new CliContext(TextWriter.Null, TextWriter.Null, CliEnvironment.Read(_ => null))).Options.Select(o => o.Name).ToHashSet();
        var parsed = new ParsedArgs();
        foreach (var option in OptimizeCommands.QuantizationOptions)
        {
            Assert.That(quantize, Does.Contain(option.Name), "accel quantize");
            Assert.That(convert, Does.Contain(option.Name), "accel convert");
            if (option.Kind == OptimizeCommands.SharedOptionKind.Switch) parsed.AddSwitch(option.Name);
            else parsed.AddValues(option.Name, option.Kind == OptimizeCommands.SharedOptionKind.Repeatable ? [option.Name + "-a", option.Name + "-b"] : [option.Name + "-v"]);
        }
        parsed.AddValues("--report", ["convert.json"]);
        var forwarded = ConvertCommand.QuantizeArguments(parsed, "int8", "float.tflite", "out.tflite", "q.json");
        Assert.That(forwarded.Positionals, Is.EqualTo(new[] { "float.tflite" }));
        Assert.That((forwarded.Value("--mode"), forwarded.Value("--output"), forwarded.Value("--report")), Is.EqualTo(("int8", "out.tflite", "q.json")));
        foreach (var option in OptimizeCommands.QuantizationOptions)
        {
            if (option.Kind == OptimizeCommands.SharedOptionKind.Switch) Assert.That(forwarded.Has(option.Name), option.Name);
            else Assert.That(forwarded.Values(option.Name), Is.EqualTo(parsed.Values(option.Name)), option.Name);
        }
    }

    [Test]
    public void QuantizeInt8ForwardsMseRangesBiasCorrectionViewsAndKeepFloat()
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "bf8.tflite");
        var r = CliHarness.Run("convert", BlazeFace(), "-o", output, "--quantize", "int8", "--calibration", Photo(), "--mean", "127.5", "--std", "127.5",
            "--range", "mse", "--bias-correction", "--calibration-views", "--keep-float", "ADD", "--task", "none", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        using var report = JsonDocument.Parse(File.ReadAllText(output + ".report.json"));
        string notes = string.Join("\n", report.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
        Assert.That(notes, Does.Contain("Calibration: 6 samples, MSE-optimal clipping").And.Contain("Bias correction:").And.Contain("kept float by name (ADD)"));
        using var model = Model.FromFile(output);
        var g = model.MainSubgraph;
        Assert.That(g.Operators.Where(o => model.OperatorCodeOf(o).Name == "ADD").Select(o => g.Tensors[o.Outputs[0]].Type), Is.All.EqualTo(TensorType.Float32));
    }
}
