using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// Pruning with layer-wise reconstruction (docs/optimize.md §Reconstruction) on small built models: the sparsity asked
/// is reached exactly per layer (and evenly per output channel) for 1x1, 1x4 and 1x16 blocks; no layer ends further
/// from its calibration outputs than magnitude pruning with the same mask; dense and sparse files run alike in Accel
/// and in TFLite (LiteRT.js).
/// </summary>
public sealed class ReconstructionPruningTests
{
    /// <summary>
    /// x [1,6,6,8] → CONV_2D 3×3, 8 → 8, SAME, RELU → DEPTHWISE_CONV_2D 3×3 → RESHAPE [1,288] → FULLY_CONNECTED 16.
    /// Weights a fixed pseudo-random sequence.
    /// </summary>
    private static byte[] BlockNetwork()
    {
        var rng = new Random(3);
        float[] R(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        var b = new ModelBuilder("block network");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 8]);
        int cw = b.AddConstant("conv/w", [8, 3, 3, 8], R(576, 0.3f));
        int cb = b.AddConstant("conv/b", [8], R(8, 0.1f));
        int c = b.AddTensor("conv", TensorType.Float32, [1, 6, 6, 8]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, cw, cb], [c], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu));
        int dw = b.AddConstant("dw/w", [1, 3, 3, 8], R(72, 0.7f));
        int db = b.AddConstant("dw/b", [8], R(8, 0.1f));
        int d = b.AddTensor("dw", TensorType.Float32, [1, 6, 6, 8]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [c, dw, db], [d], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), version: 2);
        int shape = b.AddConstant("shape", [2], [1, 288]);
        int r = b.AddTensor("reshape", TensorType.Float32, [1, 288]);
        b.AddOperator(BuiltinOperator.Reshape, [d, shape], [r], new ReshapeOptions([1, 288]));
        int fw = b.AddConstant("fc/w", [16, 288], R(4608, 0.2f));
        int fb = b.AddConstant("fc/b", [16], R(16, 0.1f));
        int y = b.AddTensor("y", TensorType.Float32, [1, 16]);
        b.AddOperator(BuiltinOperator.FullyConnected, [r, fw, fb], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    /// <summary>Inputs of <see cref="BlockNetwork"/> whose channels 4–7 follow channels 0–3 (x₄₊ᵢ = 0.8 xᵢ + 0.2 noise).</summary>
    private static List<CalibrationSample> CorrelatedSamples(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var v = new float[288];
            for (int p = 0; p < 36; p++)
                for (int ch = 0; ch < 4; ch++)
                {
                    float a = (float)(rng.NextDouble() * 2 - 1);
                    v[p * 8 + ch] = a;
                    v[p * 8 + ch + 4] = 0.8f * a + 0.2f * (float)(rng.NextDouble() * 2 - 1);
                }
            return new CalibrationSample([v], $"s{i}");
        }).ToList();
    }

    private static PruningOptions Reconstruct(double sparsity, int block) =>
        new() { Sparsity = sparsity, BlockSize = block, Method = PruningMethod.Reconstruct, MinElements = 64, MeasureLatency = false };

    [Test]
    public void Reconstruct_ZeroesExactlyTheBlocksAsked_PerLayerAndEvenlyPerOutputChannel([Values(1, 4, 16)] int block, [Values(0.25, 0.5)] double sparsity)
    {
        using var source = Model.FromBytes(BlockNetwork());
        var result = ModelOptimizer.Prune(source, Reconstruct(sparsity, block), CorrelatedSamples(16, 1));
        using var pruned = Model.FromBytes(result.Model);
        Assert.That(result.Report.PrunedTensors.Select(t => t.Tensor), Is.EqualTo(new[] { "conv/w", "dw/w", "fc/w" }));
        foreach (string name in new[] { "conv/w", "dw/w", "fc/w" })
        {
            var t = TestModels.TensorNamed(pruned, name);
            var w = TestModels.ConstantValues<float>(pruned, t);
            int rowLength = t.Shape[^1], perRow = (rowLength + block - 1) / block, rows = w.Length / rowLength;
            // Blocks as magnitude pruning forms them: 1xB along the last dimension, a row's last block may be shorter.
            int zeroBlocks = 0, zeros = 0;
            var perChannel = new int[t.Shape[0]];
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < perRow; j++)
                {
                    int start = r * rowLength + j * block, end = Math.Min(start + block, (r + 1) * rowLength);
                    bool all = true;
                    for (int i = start; i < end; i++) all &= w[i] == 0;
                    if (all) { zeroBlocks++; zeros += end - start; perChannel[r / (rows / t.Shape[0])]++; }
                }
            Assert.That(zeroBlocks, Is.EqualTo((int)Math.Floor(sparsity * rows * perRow)), $"{name}: zeroed blocks");
            Assert.That(w.Count(v => v == 0), Is.EqualTo(zeros), $"{name}: every zero lies in a zeroed block (no partial blocks)");
            if (name != "dw/w") // one mask over the depthwise filter; CONV_2D/FULLY_CONNECTED choose per output channel
                Assert.That(perChannel.Max() - perChannel.Min(), Is.LessThanOrEqualTo(1), $"{name}: blocks per output channel {string.Join(",", perChannel)}");
        }
    }

    /// <summary>A single layer over x [1,6,6,8] (CONV_2D 3×3 → 8, DEPTHWISE 3×3) or x [1,288] (FULLY_CONNECTED → 16).</summary>
    private static byte[] OneLayer(BuiltinOperator op, float[]? weights = null)
    {
        var rng = new Random(5);
        var b = new ModelBuilder("one layer");
        bool fc = op == BuiltinOperator.FullyConnected;
        int x = b.AddTensor("x", TensorType.Float32, fc ? [1, 288] : [1, 6, 6, 8]);
        int[] shape = op switch { BuiltinOperator.Conv2D => [8, 3, 3, 8], BuiltinOperator.DepthwiseConv2D => [1, 3, 3, 8], _ => [16, 288] };
        int n = shape.Aggregate(1, (a, v) => a * v);
        var random = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        int w = b.AddConstant("w", shape, weights ?? random);
        int bias = b.AddConstant("b", [shape[0] == 1 ? 8 : shape[0]], new float[shape[0] == 1 ? 8 : shape[0]]);
        int y = b.AddTensor("y", TensorType.Float32, fc ? [1, 16] : [1, 6, 6, 8]);
        switch (op)
        {
            case BuiltinOperator.Conv2D:
                b.AddOperator(op, [x, w, bias], [y], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
                break;
            case BuiltinOperator.DepthwiseConv2D:
                b.AddOperator(op, [x, w, bias], [y], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), version: 2);
                break;
            default:
                b.AddOperator(op, [x, w, bias], [y], new FullyConnectedOptions(ActivationFunctionType.None));
                break;
        }
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static double SquaredError(byte[] reference, byte[] model, IReadOnlyList<CalibrationSample> samples) =>
        samples.Sum(s =>
        {
            var a = TestModels.RunFloat(reference, s);
            var b = TestModels.RunFloat(model, s);
            return a.Zip(b, (u, v) => (double)(u - v) * (u - v)).Sum();
        });

    [Test]
    public void Reconstruct_NeverLeavesALayerFurtherFromItsCalibrationOutputsThanMagnitudeWithTheSameMask(
        [Values(BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D, BuiltinOperator.FullyConnected)] BuiltinOperator op,
        [Values(1, 4)] int block)
    {
        byte[] dense = OneLayer(op);
        var samples = CorrelatedSamples(16, 2);
        using var source = Model.FromBytes(dense);
        var original = TestModels.ConstantValues<float>(source, TestModels.TensorNamed(source, "w"));
        var reconstructed = ModelOptimizer.Prune(source, Reconstruct(0.5, block) with { MinElements = 1 }, samples).Model;
        using var pruned = Model.FromBytes(reconstructed);
        var w = TestModels.ConstantValues<float>(pruned, TestModels.TensorNamed(pruned, "w"));
        // Magnitude pruning's result for the same mask: the original weights with the reconstruction's zeros.
        var masked = original.Select((v, i) => w[i] == 0 ? 0f : v).ToArray();
        double r = SquaredError(dense, reconstructed, samples), m = SquaredError(dense, OneLayer(op, masked), samples);
        // And the magnitude pruner's own mask, for scale.
        double own = SquaredError(dense, ModelOptimizer.Prune(source, Reconstruct(0.5, block) with { MinElements = 1, Method = PruningMethod.Magnitude }, samples).Model, samples);
        TestContext.Out.WriteLine($"{op} 1x{block}: calibration squared error reconstruct {r:G4}, its mask alone {m:G4}, magnitude's own mask {own:G4}");
        Assert.That(w.Count(v => v == 0), Is.EqualTo(w.Length / 2));
        Assert.That(r, Is.LessThanOrEqualTo(m * (1 + 1e-6)));
        Assert.That(r, Is.LessThan(own), "the reconstruction is better than magnitude pruning on these correlated inputs");
    }

    [TestCase(1)]
    [TestCase(4)]
    [TestCase(16)]
    public void ReconstructedModels_DenseAndSparse_RunInTfliteLikeInAccel(int block)
    {
        using var source = Model.FromBytes(BlockNetwork());
        var samples = CorrelatedSamples(8, 3);
        var dense = ModelOptimizer.Prune(source, Reconstruct(0.5, block), samples).Model;
        var sparse = ModelOptimizer.Prune(source, Reconstruct(0.5, block) with { Format = SparseFormat.Sparse }, samples).Model;
        using (var s = Model.FromBytes(sparse))
            Assert.That(s.MainSubgraph.Operators.Count(o => s.OperatorCodeOf(o).Builtin == BuiltinOperator.Densify), Is.EqualTo(3));
        var input = CorrelatedSamples(1, 99)[0];
        var accelDense = TestModels.RunFloat(dense, input);
        var accelSparse = TestModels.RunFloat(sparse, input);
        Assert.That(accelSparse, Is.EqualTo(accelDense), "the sparse file decodes to the same weights");
        foreach (var (model, name) in new[] { (dense, $"reconstruct-dense-1x{block}"), (sparse, $"reconstruct-sparse-1x{block}") })
        {
            var oracle = TestModels.RunOracle(model, name, input.Inputs[0]);
            Assert.That(oracle.Outputs[0].AsFloats(), Is.EqualTo(accelDense).Within(1e-5f), name);
        }
    }
}
