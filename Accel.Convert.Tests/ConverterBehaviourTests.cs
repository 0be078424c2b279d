using Accel.Conversion.Onnx;
using Google.Protobuf;

namespace Accel.Conversion.Tests;

/// <summary>Bad input, options and graph passes of the converter as a whole.</summary>
public sealed class ConverterBehaviourTests
{
    private static byte[] ConvRelu(int opset = 17, bool symbolicBatch = false)
    {
        var b = new OnnxBuilder(opset);
        if (symbolicBatch) b.InputSymbolic("x", "batch", 3, 8, 8); else b.Input("x", 1, 3, 8, 8);
        b.Float("w", [4, 3, 3, 3], Harness.Random(108, 1, 0.5f)).Float("b", [4], Harness.Random(4, 2));
        b.Node("Conv", ["x", "w", "b"], ["c"], ("pads", new[] { 1, 1, 1, 1 }));
        b.Node("Relu", ["c"], ["r"]);
        b.Float("w2", [2, 4, 3, 3], Harness.Random(72, 3, 0.5f));
        b.Node("Conv", ["r", "w2"], ["y"], ("pads", new[] { 1, 1, 1, 1 }));
        return b.Output("y").Build();
    }

    [Test]
    public void TruncatedFileIsNotAnOnnxModel()
    {
        byte[] model = ConvRelu();
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(model.AsSpan(0, model.Length / 2), new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain("not an ONNX model"));
    }

    [Test]
    public void NonOnnxBytesAreNotAnOnnxModel()
    {
        byte[] text = "this is a text file, not protobuf\n"u8.ToArray();
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(text, new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain("not an ONNX model"));
        Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(ReadOnlySpan<byte>.Empty, new ConvertOptions()));
    }

    [TestCase(8)]
    [TestCase(22)]
    public void OpsetOutside9To21IsRefusedByNumber(int opset)
    {
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(ConvRelu(opset), new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain($"unsupported opset {opset}").And.Contain("9–21"));
    }

    [Test]
    public void SymbolicBatchIsAnErrorNamingTheInputUntilInputShapeFixesIt()
    {
        byte[] model = ConvRelu(symbolicBatch: true);
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(model, new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain("'x'").And.Contain("'batch'").And.Contain("--input-shape x="));

        var options = new ConvertOptions { InputShapes = new Dictionary<string, int[]> { ["x"] = [2, 3, 8, 8] } };
        Harness.Check(model, Harness.One("x", [2, 3, 8, 8]), options: options);
    }

    [Test]
    public void InputShapeForAnUnknownInputIsAnError()
    {
        var options = new ConvertOptions { InputShapes = new Dictionary<string, int[]> { ["nope"] = [1] } };
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(ConvRelu(), options));
        Assert.That(e!.Message, Does.Contain("'nope'"));
    }

    [Test]
    public void ShapeComputedAtRunTimeNamesTheNode()
    {
        // Reshape to a shape read from the input's values: no static shape exists.
        var b = new OnnxBuilder().Input("x", 1, 4);
        b.Node("Cast", ["x"], ["xi"], ("to", 7));
        b.Node("Reshape", ["x", "xi"], ["y"]);
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(b.Output("y").Build(), new ConvertOptions()));
        Assert.That(e!.Nodes, Is.EqualTo(new[] { "Reshape_1" }));
        Assert.That(e.Message, Does.Contain("unresolved dynamic shapes").And.Contain("Reshape node 'Reshape_1'"));
    }

    [Test]
    public void EveryUnsupportedNodeIsListedAtOnceAndNothingIsWritten()
    {
        var b = new OnnxBuilder().Input("x", 1, 3, 8, 8);
        b.Node("Relu", ["x"], ["r"]);
        b.Node("Softplus", ["r"], ["l"]);
        b.Node("Mod", ["l", "l"], ["e"]);
        b.Node("Relu", ["e"], ["y"]);
        byte[] model = b.Output("y").Build();
        using var dir = new TempDir();
        string input = Path.Combine(dir.Path, "m.onnx"), output = Path.Combine(dir.Path, "m.tflite");
        File.WriteAllBytes(input, model);
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.ConvertFile(input, output, new ConvertOptions()));
        Assert.That(e!.Nodes, Is.EqualTo(new[] { "Softplus_1", "Mod_2" }));
        Assert.That(e.Message, Does.Contain("2 node(s) have no TFLite form: Softplus node 'Softplus_1', Mod node 'Mod_2'"));
        Assert.That(Directory.GetFiles(dir.Path), Is.EqualTo(new[] { input }), "no output and no temporary file");
    }

    [Test]
    public void NodeInAnotherDomainIsRefusedByName()
    {
        var b = new OnnxBuilder().Input("x", 1, 4);
        b.Node("Relu", ["x"], ["y"]);
        var m = ModelProto.Parser.ParseFrom(b.Output("y").Build());
        m.Graph.Node[0].Domain = "com.microsoft";
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(m.ToByteArray(), new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain("com.microsoft").And.Contain("Relu_0"));
    }

    [Test]
    public void DeadBranchesAndIdentityAreRemoved()
    {
        var b = new OnnxBuilder().Input("x", 1, 3, 8, 8);
        b.Node("Relu", ["x"], ["r"]);
        b.Node("Sigmoid", ["x"], ["unused"]);
        b.Node("Identity", ["r"], ["y"]);
        var result = Harness.Check(b.Output("y").Build(), Harness.One("x", [1, 3, 8, 8]));
        Assert.That(result.RemovedDeadNodes, Is.EqualTo(1));
        Assert.That(result.RemovedPassThrough, Is.EqualTo(1));
        Assert.That(result.OperatorCount, Is.EqualTo(1), "RELU only");
    }

    [Test]
    public void ConvChainHasOnlyTheBoundaryTransposesAndNoneWithNhwcIo()
    {
        byte[] model = ConvRelu();
        var plain = Harness.Check(model, Harness.One("x", [1, 3, 8, 8]));
        Assert.That(plain.TransposeCount, Is.EqualTo(2), "NCHW input → NHWC and NHWC → NCHW output");
        Assert.That(plain.FusedActivations, Has.Count.EqualTo(1));

        var nhwc = OnnxConverter.Convert(model, new ConvertOptions { NhwcIo = true });
        Assert.That(nhwc.TransposeCount, Is.EqualTo(0));
        using var m = Model.FromBytes(nhwc.Tflite);
        using var interpreter = new Interpreter(m);
        interpreter.AllocateTensors();
        Assert.That(interpreter.GetInputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 1, 8, 8, 3 }));
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 1, 8, 8, 2 }));
    }

    [Test]
    public void KeepNchwPutsATransposePairAroundEachConvAndStillAgrees()
    {
        var result = Harness.Check(ConvRelu(), Harness.One("x", [1, 3, 8, 8]), options: new ConvertOptions { KeepNchw = true });
        Assert.That(result.TransposeCount, Is.EqualTo(4));
    }

    [Test]
    public void SignatureAndDescriptionNameTheSource()
    {
        var result = OnnxConverter.Convert(ConvRelu(), new ConvertOptions { SourceName = "convrelu.onnx" });
        using var m = Model.FromBytes(result.Tflite);
        Assert.That(m.Description, Does.StartWith("Converted by Accel.Convert").And.Contain("convrelu.onnx").And.Contain("opset 17"));
        var sig = m.Signatures.Single();
        Assert.That(sig.Inputs.Select(t => t.Name), Is.EqualTo(new[] { "x" }));
        Assert.That(sig.Outputs.Select(t => t.Name), Is.EqualTo(new[] { "y" }));
    }

    [Test]
    public void ExternalDataTensorsAreReadBesideTheModel()
    {
        var b = new OnnxBuilder().Input("x", 1, 8);
        float[] weights = Harness.Random(40, 4);
        b.Float("m", [8, 5], weights);
        b.Node("MatMul", ["x", "m"], ["y"]);
        var model = ModelProto.Parser.ParseFrom(b.Output("y").Build());
        var t = model.Graph.Initializer.Single();
        using var dir = new TempDir();
        File.WriteAllBytes(Path.Combine(dir.Path, "weights.bin"), [0, 0, 0, 0, .. t.RawData.ToByteArray()]);
        t.RawData = ByteString.Empty;
        t.DataLocation = TensorProto.Types.DataLocation.External;
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "4" });
        t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "160" });
        string input = Path.Combine(dir.Path, "m.onnx"), output = Path.Combine(dir.Path, "m.tflite");
        File.WriteAllBytes(input, model.ToByteArray());
        OnnxConverter.ConvertFile(input, output, new ConvertOptions());

        var x = Harness.Random(8, 5);
        var expected = new float[5];
        for (int j = 0; j < 5; j++) for (int i = 0; i < 8; i++) expected[j] += x[i] * weights[i * 5 + j];
        var actual = Harness.Accel(File.ReadAllBytes(output), new() { ["x"] = ([1, 8], x) });
        Assert.That(Harness.RelativeL2(expected, actual["y"].Data), Is.LessThan(1e-6));

        t.ExternalData[0].Value = "../outside.bin";
        File.WriteAllBytes(input, model.ToByteArray());
        var e = Assert.Throws<OnnxConversionException>(() => OnnxConverter.ConvertFile(input, output, new ConvertOptions()));
        Assert.That(e!.Message, Does.Contain("leaves the model's folder"));
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("accel-convert-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
