using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>MEAN: random ranks and axis sets (negative, duplicate, scalar, all), keep_dims, bit-identical to the reference.</summary>
[TestFixture]
public sealed class VulkanMeanTests
{
    private static byte[] MeanModel(int[] shape, int[] axes, bool axesScalar, bool keepDims)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[a < 0 ? a + rank : a] = true;
        var outputShape = Enumerable.Range(0, rank).Where(d => keepDims || !reduced[d]).Select(d => reduced[d] ? 1 : shape[d]).ToArray();
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", shape);
        int axesTensor = mb.AddConstant("axes", axesScalar ? [] : [axes.Length], axes);
        int y = mb.Tensor("y", outputShape);
        mb.AddOperator(BuiltinOperator.Mean, [x, axesTensor], [y], new ReducerOptions(keepDims));
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    [Test]
    public void RandomAxesOverOneToFourDimensionsWithAndWithoutKeepDimsMatchTheReferenceBitForBit()
    {
        var random = new Random(70);
        for (int i = 0; i < 48; i++)
        {
            int rank = random.Next(1, 7);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, rank <= 3 ? 13 : 6)).ToArray();
            if (i % 5 == 0) shape[^1] = new[] { 63, 64, 65 }[random.Next(3)];
            int axisCount = random.Next(1, Math.Min(rank, 4) + 1);
            // Distinct dimensions, each written as a positive or negative axis; sometimes a duplicate as well.
            var axes = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).Take(axisCount)
                .Select(a => random.Next(2) == 0 ? a : a - rank).ToList();
            if (i % 7 == 3) axes.Add(axes[0] < 0 ? axes[0] + rank : axes[0] - rank);
            bool keepDims = i % 2 == 1;
            var bytes = MeanModel(shape, axes.ToArray(), false, keepDims);
            string name = $"MEAN [{string.Join(",", shape)}] axes [{string.Join(",", axes)}] keep_dims={keepDims}";
            var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.1), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void SpatialMeansLikeTheCorpusOnesMatchTheReference()
    {
        // MEAN over H, W of NHWC: power-of-two and other counts, channel tails around 64.
        var random = new Random(71);
        foreach (var shape in new[] { new[] { 1, 128, 128, 8 }, [1, 16, 16, 65], [1, 7, 9, 64], [2, 5, 3, 63] })
            foreach (bool keepDims in new[] { true, false })
            {
                var bytes = MeanModel(shape, [1, 2], false, keepDims);
                VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.0),
                    $"MEAN [{string.Join(",", shape)}] over H,W keep_dims={keepDims}");
            }
    }

    [Test]
    public void ScalarAndWholeTensorAxesMatchTheReference()
    {
        var random = new Random(72);
        var cases = new (int[] Shape, int[] Axes, bool Scalar, bool KeepDims)[]
        {
            ([4, 5, 6], [-2], true, false),       // a scalar axes tensor
            ([4, 5, 6], [0, 1, 2], false, false), // everything, rank-0 output
            ([4, 5, 6], [2, 0, 1], false, true),  // everything, keep_dims
            ([1, 1, 70], [0, 1], false, false),   // only size-1 dimensions reduced
            ([3, 1, 4, 1, 5], [1, 3], false, false),
        };
        foreach (var (shape, axes, scalar, keepDims) in cases)
        {
            var bytes = MeanModel(shape, axes, scalar, keepDims);
            string name = $"MEAN [{string.Join(",", shape)}] axes [{string.Join(",", axes)}] scalar={scalar} keep_dims={keepDims}";
            var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.3), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void SpecialValuesGiveTheReferencesNaNInfinitySignedZeroAndSubnormalMeans()
    {
        var random = new Random(73);
        int[] shape = [6, 4, 67];
        var bytes = MeanModel(shape, [1], false, false);
        var input = VulkanHarness.Values(random, 6 * 4 * 67, 0.5);
        for (int c = 0; c < 67; c += 3)   // whole reductions of one special: −0 (gives +0), −inf, a subnormal, 3e38 (overflows)
            for (int b = 0; b < 6; b++)
                for (int r = 0; r < 4; r++)
                    input[(b * 4 + r) * 67 + c] = new[] { -0f, float.NegativeInfinity, -1e-40f, 3e38f, float.Epsilon }[c / 3 % 5];
        VulkanHarness.AssertBitExact(bytes, [input], "MEAN specials");
    }

    [Test]
    public void MoreThanFourKeptRunsAreRefusedWithTheReasonAndRunOnTheReference()
    {
        // Rank 9 alternating kept/reduced dimensions: five kept runs remain after merging.
        var bytes = MeanModel([2, 2, 2, 2, 2, 2, 2, 2, 2], [1, 3, 5, 7], false, false);
        var model = Model.FromBytes(bytes);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(VulkanHarness.CreateDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single(r => r.Delegate == "vulkan").Reason, Does.Contain("5 kept and 4 reduced runs"));
    }
}
