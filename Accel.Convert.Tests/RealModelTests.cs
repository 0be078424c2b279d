namespace Accel.Conversion.Tests;

/// <summary>
/// keijiro's BlazeFace and MLSD ONNX models (scripts/fetch-onnx-models.sh): each converts, the .tflite runs in Accel
/// (reference and cpu) and in real TFLite (the oracle), and agrees with ONNX Runtime on the ONNX model within relative L2 1e-4 per output, and the
/// converted graph has no avoidable TRANSPOSE.
/// </summary>
public sealed class RealModelTests
{
    private static string ModelPath(string name)
    {
        string path = Path.Combine(AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).OnnxModels, name + ".onnx");
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/fetch-onnx-models.sh (scripts/ensure-assets.sh does)");
        return path;
    }

    // TRANSPOSE counts: the ONNX graphs (exported from NHWC TensorFlow/Barracuda models) wrap their convolutions in
    // Transpose nodes; layout propagation absorbs every one of them, so none remains.
    [TestCase("face_detection_front_128x128_barracuda", 0)]
    [TestCase("face_detection_back_256x256_barracuda", 0)]
    public void ConvertedModelAgreesWithOnnxRuntimeOnReferenceCpuAndTflite(string name, int transposes)
    {
        byte[] onnx = File.ReadAllBytes(ModelPath(name));
        var model = Onnx.ModelProto.Parser.ParseFrom(onnx);
        var inputs = new Dictionary<string, (int[], float[])>();
        int seed = 7;
        foreach (var i in model.Graph.Input)
        {
            int[] shape = i.Type.TensorType.Shape.Dim.Select(d => (int)d.DimValue).ToArray();
            inputs[i.Name] = (shape, Harness.Random(shape.Aggregate(1, (a, b) => a * b), seed++));
        }
        var result = Harness.Check(onnx, inputs, tolerance: 1e-4);
        // Real TFLite runs the converted file too, and agrees with ONNX Runtime within the same bound.
        var expected = Harness.OnnxRuntime(onnx, inputs);
        var oracle = Oracle.Run(result.Tflite, model.Graph.Input.Select(i => inputs[i.Name].Item2).ToList());
        foreach (var (output, (shape, data)) in expected)
        {
            Assert.That(oracle[output].Shape, Is.EqualTo(shape), output);
            double err = Harness.RelativeL2(data, oracle[output].Data);
            TestContext.Out.WriteLine($"{name} TFLite {output}: relative L2 {err:E2}");
            Assert.That(err, Is.LessThanOrEqualTo(1e-4), $"TFLite '{output}'");
        }
        TestContext.Out.WriteLine($"{name}: {result.OnnxNodeCount} ONNX nodes -> {result.OperatorCount} TFLite ops, {result.TransposeCount} TRANSPOSE, " +
            $"{result.ConvBatchNormFolds} Conv+BN folds, {result.FusedActivations.Count} fused activations, {result.FoldedNodes} folded");
        Assert.That(result.TransposeCount, Is.EqualTo(transposes));
    }

    /// <summary>MLSD takes RGBA pixels in 0..255 (it divides by 127.5 itself): a smooth random image, not noise in -1..1
    /// (which gives a near-constant score map full of ties).</summary>
    private static float[] Pixels(int[] shape, int seed)
    {
        var noise = Harness.Random(shape.Aggregate(1, (a, b) => a * b), seed);
        int h = shape[1], w = shape[2], c = shape[3];
        var r = new float[noise.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < c; k++)
                {
                    int i = (y * w + x) * c + k;
                    // Bars and a gradient give the line detector edges to respond to; a little noise breaks ties.
                    float bars = ((x / 24 + y / 40) % 2 == 0) ? 200f : 40f;
                    r[i] = Math.Clamp(bars + 30f * noise[i] + 0.2f * x, 0f, 255f);
                }
        return r;
    }

    /// <summary>
    /// MLSD's 'scores' is the score map masked by "equals its 3×3 max-pool" (a local-maximum test): a 1e-6 change can
    /// flip the mask at a near-tie, so it is not a continuous function of the weights. The test compares the
    /// continuous outputs ('offsets' and the unmasked score map, exposed as an extra output) at relative L2 ≤ 1e-4,
    /// and requires the masked scores to agree everywhere the two masks agree and the masks to differ at ≤ 0.1%.
    /// </summary>
    [TestCase("mlsd_320x320_tiny", 0)]
    [TestCase("mlsd_320x320_large", 0)]
    public void ConvertedMlsdAgreesWithOnnxRuntimeOnReferenceCpuAndTflite(string name, int transposes)
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(ModelPath(name)));
        var sigmoid = model.Graph.Node.Single(n => n.OpType == "Sigmoid");
        model.Graph.Output.Add(new Onnx.ValueInfoProto { Name = sigmoid.Output[0], Type = new Onnx.TypeProto { TensorType = new Onnx.TypeProto.Types.Tensor { ElemType = 1 } } });
        byte[] onnx = Google.Protobuf.MessageExtensions.ToByteArray(model);
        var input = model.Graph.Input.Single();
        int[] shape = input.Type.TensorType.Shape.Dim.Select(d => (int)d.DimValue).ToArray();
        var inputs = new Dictionary<string, (int[], float[])> { [input.Name] = (shape, Pixels(shape, 11)) };

        var result = OnnxConverter.Convert(onnx, new ConvertOptions());
        var expected = Harness.OnnxRuntime(onnx, inputs);
        foreach (string backend in new[] { "reference", "cpu", "TFLite" })
        {
            bool cpu = backend == "cpu";
            var actual = backend == "TFLite" ? Oracle.Run(result.Tflite, [inputs[input.Name].Item2]) : Harness.Accel(result.Tflite, inputs, cpu);
            foreach (string continuous in new[] { "offsets", sigmoid.Output[0] })
            {
                double err = Harness.RelativeL2(expected[continuous].Data, actual[continuous].Data);
                TestContext.Out.WriteLine($"{name} {backend} {continuous}: relative L2 {err:E2}");
                Assert.That(err, Is.LessThanOrEqualTo(1e-4), continuous);
            }
            var (e, a) = (expected["scores"].Data, actual["scores"].Data);
            int flipped = 0;
            var agreeE = new List<float>(); var agreeA = new List<float>();
            for (int i = 0; i < e.Length; i++)
            {
                if ((e[i] != 0) != (a[i] != 0)) { flipped++; continue; }
                agreeE.Add(e[i]); agreeA.Add(a[i]);
            }
            double maskedErr = Harness.RelativeL2(agreeE.ToArray(), agreeA.ToArray());
            TestContext.Out.WriteLine($"{name} {backend} scores: {flipped} of {e.Length} local-maximum decisions differ; elsewhere relative L2 {maskedErr:E2}");
            Assert.That(flipped, Is.LessThanOrEqualTo(e.Length / 1000));
            Assert.That(maskedErr, Is.LessThanOrEqualTo(1e-4));
        }
        TestContext.Out.WriteLine($"{name}: TRANSPOSE of {string.Join(", ", result.TransposedValues)}");
        Assert.That(result.TransposeCount, Is.EqualTo(transposes));
    }
}
