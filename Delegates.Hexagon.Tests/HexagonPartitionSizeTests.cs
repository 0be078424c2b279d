using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// The delegate's minimum partition size (TFLite's Hexagon delegate: min_nodes_per_partition, default 2): smaller
/// partitions are refused with the reason and run on the reference, bit-identical, without starting the DSP.
/// </summary>
public sealed class HexagonPartitionSizeTests
{
    /// <summary>float32 [64] → QUANTIZE → int8: one node the DSP can run.</summary>
    private static Model SingleQuantize()
    {
        var mb = new ModelBuilder("one quantize");
        int x = mb.AddTensor("x", TensorType.Float32, [64]);
        int q = mb.AddTensor("q", TensorType.Int8, [64], new QuantizationParameters([0.05f], [3], 0, [], []));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        mb.AddInput(x);
        mb.AddOutput(q);
        return Model.FromBytes(mb.Build());
    }

    private static float[] Values() => Enumerable.Range(0, 64).Select(i => (i - 32) * 0.173f).ToArray();

    private static byte[] Run(Model model, HexagonDelegate? hexagon, out Interpreter interpreter)
    {
        var options = new InterpreterOptions();
        if (hexagon is not null) options.Delegates.Add(new DelegateSelection(hexagon));
        interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFrom<float>(Values());
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    [Test]
    public void TheDefaultMinimumIsTwoNodesAsTfLitesHexagonDelegate()
    {
        using var d = new HexagonDelegate(qemu: "/nonexistent/qemu-hexagon");
        Assert.That(d.MinNodesPerPartition, Is.EqualTo(2));
        Assert.That(HexagonDelegate.DefaultMinNodesPerPartition, Is.EqualTo(2));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void AMinimumBelowOneIsRefusedAtConstruction(int minimum)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new HexagonDelegate(minNodesPerPartition: minimum));
        Assert.That(e!.ParamName, Is.EqualTo("minNodesPerPartition"));
    }

    [Test]
    public void AOneNodePartitionIsRefusedByDefaultWithTheReasonAndRunsOnTheReferenceWithoutStartingTheDsp()
    {
        HexagonTestEnvironment.RequireDsp();
        using var model = SingleQuantize();
        byte[] expected = Run(model, null, out var reference);
        reference.Dispose();
        var d = new HexagonDelegate();
        byte[] actual = Run(model, d, out var interpreter);
        using (interpreter)
        {
            Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
            Assert.That(interpreter.Diagnostics, Has.Some.Contains("partition 0 has 1 node, below the delegate's MinNodesPerPartition = 2"));
            Assert.That(d.DspDescription, Is.Null, "a refused partition starts no DSP process");
            Assert.That(actual, Is.EqualTo(expected));
        }
    }

    [Test]
    public void AMinimumOfOneRunsTheSingleNodeOnTheDsp()
    {
        HexagonTestEnvironment.RequireDsp();
        using var model = SingleQuantize();
        byte[] expected = Run(model, null, out var reference);
        reference.Dispose();
        var d = new HexagonDelegate(minNodesPerPartition: 1);
        byte[] actual = Run(model, d, out var interpreter);
        using (interpreter)
        {
            Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
            Assert.That(d.DspDescription, Is.Not.Null);
            Assert.That(actual, Is.EqualTo(expected));
        }
    }

    [Test]
    public void TheFiveNodeInt8NetworkRunsOnTheReferenceUnderAMinimumOfSix()
    {
        HexagonTestEnvironment.RequireDsp();
        using var model = QuantizedNetwork.Build();
        float[] input = DelegateHarness.Values(new Random(5), 6 * 6 * 3).Select(v => v / 8).ToArray();
        byte[] Run(HexagonDelegate? hexagon, out Interpreter interpreter)
        {
            var options = new InterpreterOptions();
            if (hexagon is not null) options.Delegates.Add(new DelegateSelection(hexagon));
            interpreter = new Interpreter(model, options);
            interpreter.AllocateTensors();
            interpreter.GetInputTensor(0).CopyFrom<float>(input);
            interpreter.Invoke();
            return interpreter.GetOutputTensor(0).Bytes.ToArray();
        }
        byte[] expected = Run(null, out var reference);
        reference.Dispose();
        byte[] actual = Run(new HexagonDelegate(minNodesPerPartition: 6), out var interpreter);
        using (interpreter)
        {
            Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
            Assert.That(interpreter.Diagnostics, Has.Some.Contains("has 5 nodes, below the delegate's MinNodesPerPartition = 6"));
            Assert.That(actual, Is.EqualTo(expected));
        }
    }
}
