using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>MEAN: axes handling, keep_dims, the row-major summation order and the reciprocal multiply.</summary>
public sealed class MeanKernelTests
{
    /// <summary>Independent reduction: groups input elements by their output coordinate, in row-major input order.</summary>
    private static (float[] Spec, double[] Exact, int[] Shape) Expected(float[] input, int[] shape, int[] axes, bool keepDims)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[(a + rank) % rank] = true;
        var outputShape = new List<int>();
        for (int d = 0; d < rank; d++)
        {
            if (!reduced[d]) outputShape.Add(shape[d]);
            else if (keepDims) outputShape.Add(1);
        }
        int[] keptShape = Enumerable.Range(0, rank).Where(d => !reduced[d]).Select(d => shape[d]).ToArray();
        int outputCount = Elementwise.Count(keptShape);
        var groups = Enumerable.Range(0, outputCount).Select(_ => new List<float>()).ToArray();
        for (int i = 0; i < input.Length; i++)
        {
            int[] c = Elementwise.Coordinates(i, shape);
            int[] kept = Enumerable.Range(0, rank).Where(d => !reduced[d]).Select(d => c[d]).ToArray();
            groups[Elementwise.Flat(kept, keptShape)].Add(input[i]);
        }
        var spec = new float[outputCount];
        var exact = new double[outputCount];
        for (int o = 0; o < outputCount; o++)
        {
            float sum = 0f;
            foreach (float v in groups[o]) sum += v;
            spec[o] = sum * (float)(1.0 / groups[o].Count);
            exact[o] = groups[o].Select(v => (double)v).Average();
        }
        return (spec, exact, outputShape.ToArray());
    }

    private static Tensor Run(ElementwiseTestHarness h, float[] input, int[] shape, int[] axes, bool keepDims, int[]? axesShape = null) =>
        h.Run(new MeanKernel(), "MEAN", new ReducerOptions(keepDims), h.Input(shape, input), h.Constant(axesShape ?? [axes.Length], axes));

    [TestCase(new[] { 1, 2 }, true, TestName = "Mean over H,W keeping dims (selfie landscape)")]
    [TestCase(new[] { 1, 2 }, false, TestName = "Mean over H,W dropping dims (hand landmark)")]
    [TestCase(new[] { -3, 2 }, false, TestName = "Negative axes count from the end")]
    [TestCase(new[] { 1, -3, 1 }, true, TestName = "Duplicate axes are ignored")]
    [TestCase(new[] { 0, 1, 2, 3 }, false, TestName = "All axes without keep_dims give a scalar")]
    [TestCase(new[] { 3, 0, 1, 2 }, true, TestName = "All axes with keep_dims give ones")]
    [TestCase(new[] { 3 }, false, TestName = "The innermost axis")]
    [TestCase(new[] { 0, 2 }, true, TestName = "Non-adjacent axes")]
    [TestCase(new int[0], false, TestName = "No axes copy the input")]
    public void Mean_matches_row_major_summation_times_the_reciprocal(int[] axes, bool keepDims)
    {
        int[] shape = [2, 5, 3, 4];
        float[] input = Elementwise.Random(Elementwise.Count(shape), 31, 10f);
        using var h = new ElementwiseTestHarness();
        var output = Run(h, input, shape, axes, keepDims);
        var expected = Expected(input, shape, axes, keepDims);
        Assert.That(output.Shape.ToArray(), Is.EqualTo(expected.Shape));
        Elementwise.AssertBitEqual(output.Read<float>(), expected.Spec);
        Elementwise.AssertClose(output.Read<float>(), expected.Exact, 1e-5);
    }

    [Test]
    public void A_scalar_axes_tensor_is_accepted()
    {
        float[] input = Elementwise.Random(12, 3);
        using var h = new ElementwiseTestHarness();
        var output = Run(h, input, [3, 4], [-1], false, axesShape: []);
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 3 }));
        Elementwise.AssertBitEqual(output.Read<float>(), Expected(input, [3, 4], [1], false).Spec);
    }

    [Test]
    public void Corpus_global_average_over_seven_by_seven()
    {
        int[] shape = [1, 7, 7, 16];
        float[] input = Elementwise.Random(Elementwise.Count(shape), 5, 3f);
        using var h = new ElementwiseTestHarness();
        var output = Run(h, input, shape, [1, 2], false);
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 1, 16 }));
        Elementwise.AssertBitEqual(output.Read<float>(), Expected(input, shape, [1, 2], false).Spec);
    }

    [Test]
    public void Missing_options_mean_keep_dims_false()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new MeanKernel(), "MEAN", null, h.Input([2, 2], 1f, 2f, 3f, 5f), h.Constant([1], new[] { 1 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2 }));
        Assert.That(output.Read<float>().ToArray(), Is.EqualTo(new[] { 1.5f, 4f }));
    }

    [Test]
    public void Sum_starts_at_plus_zero_so_negative_zeros_average_to_plus_zero()
    {
        using var h = new ElementwiseTestHarness();
        var output = Run(h, [-0f, -0f], [2], [0], false);
        Assert.That(BitConverter.SingleToUInt32Bits(output.Read<float>()[0]), Is.EqualTo(0u));
    }

    [Test]
    public void Invalid_axes_and_dtypes_are_rejected()
    {
        using var h = new ElementwiseTestHarness();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new MeanKernel(), "MEAN", new ReducerOptions(false),
                h.Input([2, 3], new float[6]), h.Constant([1], new[] { 2 })))!.Message, Does.Contain("axis 2"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new MeanKernel(), "MEAN", new ReducerOptions(false),
                h.Input([2, 3], new float[6]), h.Constant([1], new[] { -3 })))!.Message, Does.Contain("axis -3"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new MeanKernel(), "MEAN", new ReducerOptions(false),
                h.Input([2, 3], new float[6]), h.Constant([1], new[] { 1L })))!.Message, Does.Contain("int64"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new MeanKernel(), "MEAN", new ReducerOptions(false),
                h.Input([2, 3], new sbyte[6]), h.Constant([1], new[] { 1 })))!.Message, Does.Contain("int8"));
        });
    }
}
