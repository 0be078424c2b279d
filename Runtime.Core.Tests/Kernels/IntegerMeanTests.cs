using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>MEAN of int32 and int64: an int64 sum divided by n truncating toward zero, as TFLite's reference_ops::Mean.</summary>
public sealed class IntegerMeanTests
{
    [Test]
    public void Integer_means_truncate_toward_zero_and_do_not_overflow_the_sum()
    {
        using var h = new ElementwiseTestHarness();
        int[] input = [7, 0, 0, /**/ -7, 0, 0, /**/ int.MaxValue, int.MaxValue, int.MaxValue];
        var output = h.Run(new MeanKernel(), "MEAN", new ReducerOptions(false), h.Input([3, 3], input), h.Constant([1], new[] { 1 }));
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(new[] { 2, -2, int.MaxValue }));
    }

    [Test]
    public void An_integer_mean_over_an_empty_dimension_is_zero()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new MeanKernel(), "MEAN", new ReducerOptions(true), h.Input([3, 0], new long[0]), h.Constant([1], new[] { -1 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 3, 1 }));
        Assert.That(output.Read<long>().ToArray(), Is.EqualTo(new long[] { 0, 0, 0 }));
    }

    [Test]
    public void More_outputs_than_one_sum_block_keep_the_row_major_grouping()
    {
        using var h = new ElementwiseTestHarness();
        int[] input = Enumerable.Range(0, 600 * 3).Select(i => i * 37 % 1001 - 500).ToArray();
        var output = h.Run(new MeanKernel(), "MEAN", new ReducerOptions(false), h.Input([3, 600], input), h.Constant([], new[] { 0 }));
        var expected = Enumerable.Range(0, 600).Select(c => (int)((long)input[c] + input[600 + c] + input[1200 + c]) / 3).ToArray();
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(expected));
    }
}
