using System.Runtime.InteropServices;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// The produced files are valid TFLite: real TFLite (LiteRT.js, conformance/oracle) loads and runs them, and its
/// outputs agree with Accel's — integer outputs within ±1 step (XNNPACK requantizes with a float multiplier, see
/// docs/numerics.md §Quantized execution), float outputs within float rounding.
/// </summary>
public sealed class OracleAgreementTests
{
    private static OracleRunner Oracle() => OracleRunner.ForAssets(CorpusAssets.Locate());

    private static byte[] FloatBytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>Accel's and TFLite's output 0 for the given input bytes.</summary>
    private static (byte[] Accel, OracleOutput Oracle) RunBoth(byte[] model, string name, byte[] input)
    {
        using var m = Model.FromBytes(model);
        using var interpreter = new Interpreter(m);
        interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFromBytes(input);
        interpreter.Invoke();
        var accel = interpreter.GetOutputTensor(0).Bytes.ToArray();
        var oracle = Oracle().Run([new OracleJob(TestModels.SaveForOracle(model, name), [input])])[0].Outputs[0];
        return (accel, oracle);
    }

    private static OptimizationResult QuantizeSmall(IntegerInterface io) =>
        ModelOptimizer.Quantize(Model.FromBytes(TestModels.SmallNetwork(withSoftmax: false)),
            new QuantizationOptions { Interface = io, MeasureLatency = false }, TestModels.SmallNetworkSamples(16));

    [Test]
    public void Int8FullyConnected_WithFloatInterface_RunsInTfliteWithinOneOutputStep()
    {
        var result = ModelOptimizer.Quantize(Model.FromBytes(TestModels.FullyConnected()), new QuantizationOptions { MeasureLatency = false },
            [new CalibrationSample([TestModels.FullyConnectedInput], "x")]);
        float step = (float)(3.375 / 255);
        var (accel, oracle) = RunBoth(result.Model, "fc-int8", FloatBytes(TestModels.FullyConnectedInput));
        var a = MemoryMarshal.Cast<byte, float>(accel).ToArray();
        Assert.That(oracle.AsFloats(), Is.EqualTo(a).Within(step * 1.0001f));
    }

    /// <summary>
    /// Nine integer layers: XNNPACK's ±1 per node (its float requantization, and its float→int8 QUANTIZE at the
    /// input) can add up; measured on these samples: at most 2 output steps.
    /// </summary>
    [Test]
    public void Int8NineLayerNetwork_WithFloatInterface_RunsInTfliteWithinTwoOutputSteps()
    {
        var result = QuantizeSmall(IntegerInterface.Float32);
        using var q = Model.FromBytes(result.Model);
        float step = q.MainSubgraph.Tensors.Single(t => t.Name == "logits_int8").Quantization.Scale[0];
        double worst = 0;
        foreach (var sample in TestModels.SmallNetworkSamples(4, seed: 99))
        {
            var (accel, oracle) = RunBoth(result.Model, "small-int8", FloatBytes(sample.Inputs[0]));
            var a = MemoryMarshal.Cast<byte, float>(accel).ToArray();
            var o = oracle.AsFloats();
            for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - o[i]) / step);
        }
        TestContext.Out.WriteLine($"largest difference: {worst:F3} output steps");
        Assert.That(worst, Is.LessThanOrEqualTo(2.0001));
    }

    /// <summary>
    /// Selective quantization: the depthwise convolution and the FULLY_CONNECTED kept float (float16 weights, as the
    /// source stores them) between integer operators. TFLite runs the mixed file; its integer nodes differ from
    /// Accel's by XNNPACK's ±1 step per node, which the float FULLY_CONNECTED sums over its 128 inputs: measured
    /// 1.38 % of the largest output (the all-integer network on the same samples: 1.14 %).
    /// </summary>
    [Test]
    public void Int8WithOperatorsKeptFloat_RunsInTfliteWithinOnePercentOfTheLargestOutput()
    {
        var fp16 = ModelOptimizer.Quantize(Model.FromBytes(TestModels.SmallNetwork(withSoftmax: false)),
            new QuantizationOptions { Mode = QuantizationMode.Float16, MeasureLatency = false }, null).Model;
        var result = ModelOptimizer.Quantize(Model.FromBytes(fp16),
            new QuantizationOptions { KeepFloat = ["DEPTHWISE_CONV_2D", "logits"], MeasureLatency = false }, TestModels.SmallNetworkSamples(16));
        using var q = Model.FromBytes(result.Model);
        Assert.That(q.MainSubgraph.Tensors.Single(t => t.Name == "logits").Type, Is.EqualTo(TensorType.Float32));
        double worst = 0, largest = 0;
        foreach (var sample in TestModels.SmallNetworkSamples(4, seed: 99))
        {
            var (accel, oracle) = RunBoth(result.Model, "small-int8-mixed", FloatBytes(sample.Inputs[0]));
            var a = MemoryMarshal.Cast<byte, float>(accel).ToArray();
            var o = oracle.AsFloats();
            for (int i = 0; i < a.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(a[i] - o[i]));
                largest = Math.Max(largest, Math.Abs(a[i]));
            }
        }
        TestContext.Out.WriteLine($"largest difference: {worst:G4} of the largest output {largest:G4} ({worst / largest:P2})");
        Assert.That(worst / largest, Is.LessThanOrEqualTo(0.02));
    }

    [Test]
    public void Int8WithUInt8Interface_RunsInTfliteWithinOneStep()
    {
        var result = QuantizeSmall(IntegerInterface.UInt8);
        using var q = Model.FromBytes(result.Model);
        var input = q.MainSubgraph.Tensors[q.MainSubgraph.Inputs[0]];
        var p = new AffineParams(input.Quantization.Scale[0], (int)input.Quantization.ZeroPoint[0]);
        foreach (var sample in TestModels.SmallNetworkSamples(4, seed: 98))
        {
            var bytes = sample.Inputs[0].Select(v => (byte)QuantizationMath.QuantizeValue(v, p, 0, 255)).ToArray();
            var (accel, oracle) = RunBoth(result.Model, "small-uint8", bytes);
            Assert.That(oracle.DType, Is.EqualTo("uint8"));
            for (int i = 0; i < accel.Length; i++)
                Assert.That(Math.Abs(accel[i] - oracle.Bytes[i]), Is.LessThanOrEqualTo(1), $"{sample.Source} element {i}");
        }
    }

    [Test]
    public void Float16AndSparsePrunedModels_RunInTfliteLikeInAccel()
    {
        var fp16 = ModelOptimizer.Quantize(Model.FromBytes(TestModels.SmallNetwork()), new QuantizationOptions { Mode = QuantizationMode.Float16, MeasureLatency = false }, null);
        var sparse = ModelOptimizer.Prune(Model.FromBytes(TestModels.SmallNetwork()),
            new PruningOptions { Sparsity = 0.5, BlockSize = 4, Format = SparseFormat.Sparse, MinElements = 100, MeasureLatency = false });
        var sample = TestModels.SmallNetworkSamples(1, seed: 97)[0];
        foreach (var (model, name) in new[] { (fp16.Model, "small-fp16"), (sparse.Model, "small-pruned-sparse") })
        {
            var (accel, oracle) = RunBoth(model, name, FloatBytes(sample.Inputs[0]));
            var a = MemoryMarshal.Cast<byte, float>(accel).ToArray();
            Assert.That(oracle.AsFloats(), Is.EqualTo(a).Within(1e-5f), name);
        }
    }

    /// <summary>
    /// 16x8: TFLite runs the int16 nodes with its own kernels (XNNPACK takes none), which Accel's reference follows bit
    /// for bit per operator (docs/numerics.md §int16x8), so the float outputs agree to within one int16 output step.
    /// </summary>
    [Test]
    public void Int16x8NineLayerNetwork_RunsInTfliteWithinOneInt16OutputStep()
    {
        var result = ModelOptimizer.Quantize(Model.FromBytes(TestModels.SmallNetwork(withSoftmax: false)),
            new QuantizationOptions { Mode = QuantizationMode.Int16x8, MeasureLatency = false }, TestModels.SmallNetworkSamples(16));
        using var q = Model.FromBytes(result.Model);
        float step = q.MainSubgraph.Tensors.Single(t => t.Name == "logits_int16").Quantization.Scale[0];
        double worst = 0;
        foreach (var sample in TestModels.SmallNetworkSamples(4, seed: 99))
        {
            var (accel, oracle) = RunBoth(result.Model, "small-int16x8", FloatBytes(sample.Inputs[0]));
            var a = MemoryMarshal.Cast<byte, float>(accel).ToArray();
            var o = oracle.AsFloats();
            for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - o[i]) / step);
        }
        TestContext.Out.WriteLine($"largest difference: {worst:F3} int16 output steps");
        Assert.That(worst, Is.LessThanOrEqualTo(1.0001));
    }
}
