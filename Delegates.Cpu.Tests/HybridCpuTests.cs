using Accel.Building;
using Accel.Delegates.Cpu.Kernels.Hybrid;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate's hybrid (dynamic-range) kernels: the nodes are delegated (the planner offers hybrid nodes to a
/// delegate declaring HybridKernels), every output is bit-identical with the reference's HybridKernels, every integer
/// dot-product path sums exactly what the scalar loop sums, and Invoke allocates nothing. The IsaRunner repeats the
/// same cases under each ISA switch (IsaPathTests).
/// </summary>
[TestFixture]
public sealed class HybridCpuTests
{
    [Test]
    public void HybridFullyConnected_EveryCase_IsDelegatedAndBitIdenticalWithTheReference()
    {
        int count = 0;
        foreach (var c in OpCases.HybridFullyConnectedCases(new Random(2626)))
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(42));
    }

    [Test]
    public void HybridConv2D_EveryCase_IsDelegatedAndBitIdenticalWithTheReference()
    {
        int count = 0;
        foreach (var c in OpCases.HybridConv2DCases(new Random(2627)))
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(24));
    }

    [Test]
    public void HybridDepthwiseConv2D_EveryCase_IsDelegatedAndBitIdenticalWithTheReference()
    {
        int count = 0;
        foreach (var c in OpCases.HybridDepthwiseCases(new Random(2628)))
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(16));
    }

    /// <summary>
    /// With AVX-512BW, depth multiplier 1 and every output pixel in 32-lane blocks (32 or more channels; 8, 16 or 24
    /// with rows of at least one tile) the int8 DEPTHWISE_CONV_2D's tiles compute the hybrid sums; a row narrower than
    /// its tile keeps the q − z image path. (Their bytes: the cases above.)
    /// </summary>
    [TestCase(48, 12, 3, 1, true)]
    [TestCase(64, 11, 5, 1, true)]
    [TestCase(40, 13, 3, 2, true)]
    [TestCase(16, 20, 3, 1, true)]
    [TestCase(8, 18, 3, 1, true)]
    [TestCase(24, 17, 3, 1, false)]
    public void HybridDepthwiseConv2D_TakesTheInt8TilesWhereEveryPixelIsInWholeBlocks(int channels, int width, int kernel, int stride, bool tiles)
    {
        if (!System.Runtime.Intrinsics.X86.Avx512BW.IsSupported || !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            Assert.Ignore("the tiles' hybrid mode needs AVX-512BW");
        var c = OpCases.HybridDepthwiseCase("tiles", new Random(9), 1, 6, width, channels, 1, kernel, stride, 1, Padding.Valid, true,
            ActivationFunctionType.None);
        using var model = Model.FromBytes(c.Model);
        var cpu = new CpuDelegate();
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(cpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        var node = cpu.LastCompiledNodes.OfType<Kernels.Hybrid.HybridDepthwiseConv2DCpuNode>().Single();
        Assert.That(node.RunsInt8Tiles, Is.EqualTo(tiles));
    }

    [Test]
    public void HybridBatchMatMul_EveryCase_IsDelegatedAndBitIdenticalWithTheReference()
    {
        int count = 0;
        foreach (var c in OpCases.HybridBatchMatMulCases(new Random(2629)))
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(38));
    }

    [Test]
    public void HybridTransposeConv_EveryCase_IsDelegatedAndBitIdenticalWithTheReference()
    {
        int count = 0;
        foreach (var c in OpCases.HybridTransposeConvCases(new Random(2630)))
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(16));
    }

    [TestCase("Scalar")]
    [TestCase("Avx2")]
    [TestCase("AvxVnni")]
    public unsafe void HybridDot_EveryPath_SumsExactlyWhatTheScalarLoopSums(string path)
    {
        var isa = Enum.Parse<HybridDotIsa>(path);
        if (!HybridDot.IsSupported(isa)) Assert.Ignore($"{isa} is not supported on this machine");
        var random = new Random(17);
        int* result = stackalloc int[HybridDotRows.BlockUnits];
        foreach (int depth in new[] { 1, 15, 16, 17, 31, 32, 33, 64, 300, 5000 })
        {
            const int units = 6, rows = 3;
            var weights = new sbyte[units * depth];
            for (int i = 0; i < weights.Length; i++)
                weights[i] = (i / depth) switch { 0 => -128, 1 => 127, _ => (sbyte)random.Next(-128, 128) };
            var dots = new HybridDotRows(weights, units, depth, rows, isa);
            var quantized = new sbyte[rows][];
            for (int r = 0; r < rows; r++)
            {
                var q = dots.QuantizedRow(r);
                for (int k = 0; k < depth; k++) q[k] = r == 0 ? (sbyte)-128 : (sbyte)random.Next(-128, 128);
                quantized[r] = q.ToArray();
                dots.PrepareRow(r);
            }
            for (int r = 0; r < rows; r++)
                for (int first = 0; first < units; first += HybridDotRows.BlockUnits)
                {
                    int n = Math.Min(HybridDotRows.BlockUnits, units - first);
                    dots.Dots(r, first, n, result);
                    for (int i = 0; i < n; i++)
                    {
                        int expected = 0;
                        for (int k = 0; k < depth; k++) expected = unchecked(expected + weights[(first + i) * depth + k] * quantized[r][k]);
                        Assert.That(result[i], Is.EqualTo(expected), $"{isa} depth {depth} row {r} unit {first + i}");
                    }
                }
        }
    }

    [Test]
    public void HybridFullyConnected_AllocatesNothingPerInvoke() =>
        InvokeAllocation.AssertNoneOnTheCpuDelegate(OpCases.HybridFullyConnectedCase("alloc", new Random(3), 4, 300, 33, asymmetric: true, perChannel: true,
            bias: true, ActivationFunctionType.Relu));

    [TestCase(true)]
    [TestCase(false)]
    public void HybridConv2D_AllocatesNothingPerInvoke(bool perChannel) =>
        InvokeAllocation.AssertNoneOnTheCpuDelegate(OpCases.HybridConv2DCase("alloc", new Random(4), 2, 12, 12, 8, 3, 1, Padding.Same, 16, perChannel,
            bias: true, ActivationFunctionType.Relu6));

    [Test]
    public void HybridDepthwiseConv2D_AllocatesNothingPerInvoke() =>
        InvokeAllocation.AssertNoneOnTheCpuDelegate(OpCases.HybridDepthwiseCase("alloc", new Random(5), 1, 12, 12, 24, 1, 3, 1, 1, Padding.Same, true,
            ActivationFunctionType.Relu));

    [Test]
    public void HybridBatchMatMul_AllocatesNothingPerInvoke() =>
        InvokeAllocation.AssertNoneOnTheCpuDelegate(OpCases.HybridBatchMatMulCase("alloc", new Random(6), [2, 40, 3], [2, 40, 9], true, false, asymmetric: true,
            perChannel: true));

    [Test]
    public void HybridTransposeConv_AllocatesNothingPerInvoke() =>
        InvokeAllocation.AssertNoneOnTheCpuDelegate(OpCases.HybridTransposeConvCase("alloc", new Random(7), 2, 5, 5, 8, 3, 3, 2, Padding.Same, 20, true,
            bias: true, ActivationFunctionType.Relu));

    [Test]
    public void EveryHybridOperator_IsOfferedToTheCpuDelegate_WhichDeclaresHybridKernels()
    {
        Assert.That(new CpuDelegate().Capabilities.HybridKernels, Is.True);
        // BATCH_MATMUL with a constant int8 rhs, as accel quantize --mode dynamic writes it: delegated, nothing refused.
        var mb = new ModelBuilder("hybrid bmm");
        int x = mb.AddTensor("x", TensorType.Float32, [1, 2, 8]);
        var rhs = new byte[8 * 3];
        new Random(1).NextBytes(rhs);
        int w = mb.AddConstant("w", TensorType.Int8, [8, 3], rhs, new QuantizationParameters([0.02f], [0], 0, [], []));
        int y = mb.AddTensor("y", TensorType.Float32, [1, 2, 3]);
        mb.AddOperator(BuiltinOperator.BatchMatMul, [x, w], [y], new BatchMatMulOptions(false, false));
        mb.AddInput(x);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        Assert.That(interpreter.Plan.Refused, Is.Empty);
    }
}
