using System.Diagnostics;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing.Contract;

/// <summary>
/// The corpus models' int8 versions (<see cref="Int8CorpusModels"/>: ModelOptimizer.Quantize, Mode = Int8) on a device
/// backend: the outputs are bit-identical to the reference interpreter's, and every node the backend's kernel catalogue
/// claims (its operator on its data dtype) is delegated — a refusal of such a node is an unexpected gap, reported with
/// its reason. Each backend's test project has one subclass saying how to make its delegate; the test prints how many
/// nodes the backend took and how long each step took. CI runs face_detection_short_range (the smallest); the others,
/// palm_detection_full's whole-delegation check among them, are explicit.
/// </summary>
[TestFixture]
public abstract class Int8CorpusContractTests
{
    /// <summary>A fresh delegate of the backend under test (available: the subclass asserts it).</summary>
    protected abstract IAccelDelegate CreateDelegate();

    [Test]
    public void FaceDetectionShortRangeInt8RunsBitIdenticalWithEveryClaimedNodeDelegated() =>
        _ = AssertBitIdenticalWithEveryClaimedNodeDelegated("face_detection_short_range");

    [Explicit("larger int8 models: tens of seconds each on lavapipe or the ILGPU CPU accelerator")]
    [TestCase("face_detection_full_range")]
    [TestCase("hand_landmark_lite")]
    [TestCase("selfie_segmentation")]
    [TestCase("pose_landmark_lite")]
    public void LargerInt8CorpusModelsRunBitIdenticalWithEveryClaimedNodeDelegated(string name) =>
        _ = AssertBitIdenticalWithEveryClaimedNodeDelegated(name);

    /// <summary>
    /// palm_detection_full's int8 model (31 int8 PRELU, which `accel quantize --mode int8` emits) runs whole on the
    /// device: every node delegated, none refused, outputs bit-identical to the reference.
    /// </summary>
    [Explicit("palm_detection_full int8: tens of seconds on lavapipe or the ILGPU CPU accelerator")]
    [Test]
    public void PalmDetectionFullInt8RunsWhollyDelegatedAndBitIdentical()
    {
        var (delegated, executed) = AssertBitIdenticalWithEveryClaimedNodeDelegated("palm_detection_full");
        Assert.That(delegated, Is.EqualTo(executed), "palm_detection_full int8: every node delegated");
    }

    /// <summary>
    /// The int8 forms `accel quantize --mode int8` writes for TRANSPOSE_CONV (per-channel weights, int32 bias) and
    /// BATCH_MATMUL (a constant rhs quantized as an activation), with per-unit FULLY_CONNECTED weights
    /// (<c>--per-channel-fc</c>), in a small built network: every node the catalogue claims is delegated and the outputs
    /// are bit-identical to the reference.
    /// </summary>
    [Test]
    public void QuantizerInt8TransposeConvBatchMatMulAndPerUnitFullyConnectedRunBitIdentical()
    {
        var clock = Stopwatch.StartNew();
        var (bytes, samples) = Int8CorpusModels.QuantizedLayoutNetwork();
        var quantizeTime = clock.Elapsed;
        using var model = Model.FromBytes(bytes);
        using (var check = new Interpreter(model))
        {
            check.AllocateTensors();
            foreach (var op in new[] { BuiltinOperator.TransposeConv, BuiltinOperator.BatchMatMul, BuiltinOperator.FullyConnected })
            {
                var node = check.Graph.Nodes.Single(n => n.Code.Builtin == op);
                Assert.That(check.GetTensor(node.Outputs[0]).Type, Is.EqualTo(TensorType.Int8), $"{op} is int8");
            }
        }
        _ = AssertBitIdenticalWithEveryClaimedNodeDelegated("quantizer layout network", model, samples, quantizeTime);
    }

    private (int Delegated, int Executed) AssertBitIdenticalWithEveryClaimedNodeDelegated(string name)
    {
        var clock = Stopwatch.StartNew();
        using var model = Model.FromBytes(Int8CorpusModels.Quantize(name));
        var quantizeTime = clock.Elapsed;
        return AssertBitIdenticalWithEveryClaimedNodeDelegated(name, model, CorpusModels.Inputs(name, model), quantizeTime);
    }

    private (int Delegated, int Executed) AssertBitIdenticalWithEveryClaimedNodeDelegated(string name, Model model, float[][] inputs, TimeSpan quantizeTime)
    {
        var clock = Stopwatch.StartNew();
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var referenceTime = clock.Elapsed;

        using var device = CreateDelegate();
        var catalog = device.Kernels ?? throw new AssertionException($"{device.Name} has no kernel catalogue");
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(device));
        using var interpreter = new Interpreter(model, options);
        clock.Restart();
        interpreter.AllocateTensors();
        var plan = interpreter.Plan;
        var unexpected = new List<string>();
        foreach (var refusal in plan.Refused.Where(r => r.Delegate == device.Name))
        {
            var node = interpreter.Graph[refusal.Node];
            var dtype = DataType(interpreter, node);
            if (dtype is { } type && catalog.Covers(node.Op, type).IsSupported)
                unexpected.Add($"node {refusal.Node} {refusal.Operator} ({type.ToDisplayName()}): {refusal.Reason}");
        }
        var actual = new float[interpreter.OutputCount][];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFrom<float>(inputs[i]);
            interpreter.Invoke();
            for (int o = 0; o < actual.Length; o++) actual[o] = interpreter.GetOutputTensor(o).Read<float>().ToArray();
        }
        var deviceTime = clock.Elapsed;

        var refused = plan.Refused.Where(r => r.Delegate == device.Name)
            .GroupBy(r => r.Operator).Select(g => $"{g.Count()} × {g.Key}").DefaultIfEmpty("none");
        TestContext.Out.WriteLine(
            $"{name} int8 on {device.Name}: {plan.DelegatedNodeCount} of {interpreter.Graph.ExecutedNodeCount} nodes delegated in " +
            $"{plan.Partitions.Count(p => p.IsDelegated)} partition(s); refused (not in the catalogue): {string.Join(", ", refused)}; " +
            $"quantize {quantizeTime.TotalSeconds:F1} s, reference {referenceTime.TotalSeconds:F1} s, " +
            $"{device.Name} allocate + 2 invokes {deviceTime.TotalSeconds:F1} s");
        Assert.That(unexpected, Is.Empty, $"{name} int8: nodes {device.Name}'s catalogue claims but the delegate refused");
        Assert.That(plan.DelegatedNodeCount, Is.GreaterThan(0), $"{name} int8: nothing delegated");
        DelegateHarness.AssertSameBits(expected, actual, $"{name} int8", device.Name);
        return (plan.DelegatedNodeCount, interpreter.Graph.ExecutedNodeCount);
    }

    /// <summary>The node's data dtype as <see cref="NodeDataTypes.DataInput"/> judges it: TRANSPOSE_CONV's input 2, SPLIT's input 1, else input 0.</summary>
    private static TensorType? DataType(Interpreter interpreter, InterpreterGraphNode node)
    {
        int index = node.Code.Builtin switch { BuiltinOperator.TransposeConv => 2, BuiltinOperator.Split => 1, _ => 0 };
        return node.Inputs.Count > index && node.Inputs[index] >= 0 ? interpreter.GetTensor(node.Inputs[index]).Type : null;
    }
}
