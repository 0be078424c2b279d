using Accel.Optimize;
using Accel.Perf.Peers;
using Microsoft.ML.OnnxRuntime;

namespace Accel.Perf.Tests;

/// <summary>
/// The peers tool's QDQ writer on keijiro's BlazeFace front ONNX (scripts/fetch-onnx-models.sh): its conversion
/// quantized to int8 on two seeded inputs, then written back as QDQ ONNX with that model's numbers.
/// </summary>
public sealed class QdqWriterTests
{
    private static readonly Lazy<(QdqNetwork Network, string Onnx)> Front = new(() =>
    {
        string path = Path.Combine(AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).OnnxModels,
            "face_detection_front_128x128_barracuda.onnx");
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/fetch-onnx-models.sh (scripts/ensure-assets.sh does)");
        var network = QdqNetwork.Prepare(path, model =>
        {
            int n = CalibrationData.FloatInputs(model)[0].Shape.Aggregate(1, (a, b) => a * b);
            return [new CalibrationSample([SharedInputs.Float32(n, seed: 1)], "seed 1"), new CalibrationSample([SharedInputs.Float32(n, seed: 2)], "seed 2")];
        });
        return (network, path);
    });

    private static QdqNetwork Network => Front.Value.Network;

    [Test]
    public void EveryQuantizeLinearCarriesTheInt8ModelsScaleAndZeroPointForItsValue()
    {
        using var int8 = Model.FromBytes(Network.Int8Tflite);
        var expected = TfliteInt8.Read(int8).Activations;
        var written = QdqWriter.QuantizeParameters(Network.Int8Qdq.Bytes);
        Assert.That(written, Has.Count.EqualTo(Network.Int8Qdq.QuantizedValues));
        Assert.That(written, Has.Count.GreaterThan(30), "BlazeFace front: the input and every Conv/Add/pool output");
        var passThrough = Network.Int8Qdq.PassThrough;
        Assert.That(passThrough, Is.Not.Empty, "the input's layout Transpose and the heads' Transpose/Reshape");
        Assert.That(written.Keys.Count(expected.ContainsKey), Is.EqualTo(written.Count - passThrough.Count));
        foreach (var (name, p) in written)
        {
            // A value the converter folded away is quantized as the value it moves.
            string source = name;
            while (passThrough.TryGetValue(source, out string? from)) source = from;
            Assert.That(expected.ContainsKey(source), $"'{name}' is quantized in the QDQ model but not in the int8 model");
            Assert.That(BitConverter.SingleToInt32Bits(p.Scale), Is.EqualTo(BitConverter.SingleToInt32Bits(expected[source].Scale)), $"scale of '{name}'");
            Assert.That(p.ZeroPoint, Is.EqualTo(expected[source].ZeroPoint), $"zero point of '{name}'");
        }
    }

    [Test]
    public void UInt8ActivationsKeepTheScalesAndShiftEveryZeroPointBy128()
    {
        var int8 = QdqWriter.QuantizeParameters(Network.Int8Qdq.Bytes);
        var uint8 = QdqWriter.QuantizeParameters(Network.UInt8Qdq.Bytes);
        Assert.That(uint8.Keys, Is.EquivalentTo(int8.Keys));
        foreach (var (name, p) in int8)
            Assert.That(uint8[name], Is.EqualTo((p.Scale, p.ZeroPoint + 128)), name);
    }

    [Test]
    public void TheQdqModelHasOnePairPerValueAndOneDequantizePerConvWeightAndBias()
    {
        var q = Network.Int8Qdq;
        var ops = QdqWriter.OpCounts(q.Bytes);
        var floatOps = QdqWriter.OpCounts(File.ReadAllBytes(Front.Value.Onnx));
        Assert.That(ops["QuantizeLinear"], Is.EqualTo(q.QuantizedValues));
        Assert.That(ops["DequantizeLinear"], Is.EqualTo(q.QuantizedValues + 2 * q.QuantizedWeights));
        Assert.That(q.QuantizedWeights, Is.EqualTo(floatOps["Conv"]), "every Conv's weights int8");
        Assert.That(ops.GetValueOrDefault("Relu") + q.RemovedActivations, Is.EqualTo(floatOps["Relu"]), "each Relu kept or absorbed");
        Assert.That(q.RemovedActivations, Is.GreaterThan(0));
    }

    [Test]
    public void TheInt8WeightsAreTheFloatWeightsWithinHalfAStep() =>
        // Transposed back from the .tflite's OHWI / 1HWO filters, they round the ONNX model's own float weights.
        Assert.That(Network.Int8Qdq.MaxWeightDeviation, Is.LessThanOrEqualTo(0.5 + 1e-3));

    [Test]
    public void AnOpset11ModelWithSplitIsRaisedTo13AndOnnxRuntimeFusesEveryConv()
    {
        // MLSD tiny: opset 11, a Split with its sizes as an attribute (an input from opset 13), RGBA input in 0..255.
        string path = Path.Combine(AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).OnnxModels, "mlsd_320x320_tiny.onnx");
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/fetch-onnx-models.sh (scripts/ensure-assets.sh does)");
        var network = QdqNetwork.Prepare(path, model =>
        {
            int n = CalibrationData.FloatInputs(model)[0].Shape.Aggregate(1, (a, b) => a * b);
            return [new CalibrationSample([SharedInputs.Float32(n, seed: 1).Select(v => (v + 1) * 127.5f).ToArray()], "seed 1")];
        });
        Assert.That(network.UInt8Qdq.SourceOpset, Is.EqualTo(11));
        string qdq = Path.Combine(Path.GetTempPath(), $"accel-qdq-test-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(qdq, network.UInt8Qdq.Bytes);
            var optimized = QdqNetwork.OrtOptimizedOpCounts(qdq);
            Assert.That(optimized.GetValueOrDefault("QLinearConv"), Is.EqualTo(QdqWriter.OpCounts(File.ReadAllBytes(path))["Conv"]));
            Assert.That(optimized.GetValueOrDefault("Conv"), Is.Zero);
        }
        finally
        {
            File.Delete(qdq);
        }
    }

    [Test]
    public void OnnxRuntimeLoadsTheUInt8QdqModelAndFusesEveryConvAddAndConcatIntoItsIntegerKernels()
    {
        string path = Path.Combine(Path.GetTempPath(), $"accel-qdq-test-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, Network.UInt8Qdq.Bytes);
            var optimized = QdqNetwork.OrtOptimizedOpCounts(path);
            var source = QdqWriter.OpCounts(File.ReadAllBytes(Front.Value.Onnx));
            Assert.That(optimized.GetValueOrDefault("Conv") + optimized.GetValueOrDefault("FusedConv"), Is.Zero, "no float Conv left");
            Assert.That(optimized.GetValueOrDefault("QLinearConv"), Is.EqualTo(source["Conv"]));
            Assert.That(optimized.GetValueOrDefault("QLinearAdd"), Is.EqualTo(source["Add"]));
            Assert.That(optimized.GetValueOrDefault("QLinearConcat"), Is.EqualTo(source["Concat"]));
            // And it runs: ORT's outputs are finite and of the float model's shapes.
            using var session = new InferenceSession(path);
            var (name, meta) = session.InputMetadata.Single();
            long[] shape = meta.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(SharedInputs.Float32((int)shape.Aggregate(1L, (a, b) => a * b)), shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [name], [input], session.OutputNames);
            Assert.That(outputs, Has.Count.EqualTo(session.OutputNames.Count));
            foreach (var o in outputs) Assert.That(o.GetTensorDataAsSpan<float>().ToArray(), Has.All.Matches<float>(float.IsFinite));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
