using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY: axes, keep_dims, identities and the row-major fold.</summary>
public sealed class ReductionKernelTests
{
    /// <summary>
    /// Independent statement of the spec: group the input elements by output coordinate (row-major input order), then
    /// fold each group from the identity.
    /// </summary>
    private static (T[] Values, int[] Shape) Expected<T>(T[] input, int[] shape, int[] axes, bool keepDims, T identity, Func<T, T, T> combine)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[(a + rank) % rank] = true;
        var outputShape = Enumerable.Range(0, rank).Where(d => !reduced[d] || keepDims).Select(d => reduced[d] ? 1 : shape[d]).ToArray();
        int[] keptShape = Enumerable.Range(0, rank).Where(d => !reduced[d]).Select(d => shape[d]).ToArray();
        var result = Enumerable.Repeat(identity, Elementwise.Count(keptShape)).ToArray();
        for (int i = 0; i < input.Length; i++)
        {
            int[] c = Elementwise.Coordinates(i, shape);
            int o = Elementwise.Flat(Enumerable.Range(0, rank).Where(d => !reduced[d]).Select(d => c[d]).ToArray(), keptShape);
            result[o] = combine(result[o], input[i]);
        }
        return (result, outputShape);
    }

    private static Tensor Run<T>(ElementwiseTestHarness h, IKernel kernel, string op, T[] input, int[] shape, int[] axes, bool keepDims,
        int[]? axesShape = null) where T : unmanaged =>
        h.Run(kernel, op, new ReducerOptions(keepDims), h.Input(shape, input), h.Constant(axesShape ?? [axes.Length], axes));

    [TestCase(new[] { 1, 2 }, false, TestName = "Reductions over two middle axes")]
    [TestCase(new[] { -1 }, true, TestName = "Reductions over the innermost axis keeping dims")]
    [TestCase(new[] { 0, 3 }, false, TestName = "Reductions over non-adjacent axes")]
    [TestCase(new[] { 2, -2, 0 }, false, TestName = "Reductions with duplicate and negative axes")]
    [TestCase(new[] { 0, 1, 2, 3 }, false, TestName = "Reductions over every axis give a scalar")]
    public void Float_reductions_fold_row_major_from_the_identity(int[] axes, bool keepDims)
    {
        int[] shape = [2, 5, 3, 4];
        float[] input = Elementwise.RandomWithSpecials(Elementwise.Count(shape), 17); // NaN, ±inf, ±0 included
        using var h = new ElementwiseTestHarness();
        var cases = new (IKernel Kernel, string Op, float Identity, Func<float, float, float> Combine)[]
        {
            (new SumKernel(), "SUM", 0f, (a, x) => a + x),
            (new ReduceProdKernel(), "REDUCE_PROD", 1f, (a, x) => a * x),
            (new ReduceMaxKernel(), "REDUCE_MAX", -float.MaxValue, (a, x) => a > x ? a : x),
            (new ReduceMinKernel(), "REDUCE_MIN", float.MaxValue, (a, x) => a < x ? a : x),
        };
        foreach (var (kernel, op, identity, combine) in cases)
        {
            var output = Run(h, kernel, op, input, shape, axes, keepDims);
            var expected = Expected(input, shape, axes, keepDims, identity, combine);
            Assert.That(output.Shape.ToArray(), Is.EqualTo(expected.Shape), op);
            Elementwise.AssertBitEqual(output.Read<float>(), expected.Values, op);
        }
    }

    [Test]
    public void Integer_sums_and_products_wrap()
    {
        int[] input = [int.MaxValue, 1, int.MinValue, -1, 65536, 65536];
        using var h = new ElementwiseTestHarness();
        Assert.That(Run(h, new SumKernel(), "SUM", input, [3, 2], [1], false).Read<int>().ToArray(),
            Is.EqualTo(new[] { int.MinValue, int.MaxValue, 131072 }));
        Assert.That(Run(h, new ReduceProdKernel(), "REDUCE_PROD", input, [3, 2], [1], false).Read<int>().ToArray(),
            Is.EqualTo(new[] { int.MaxValue, int.MinValue, 0 }));
        long[] wide = [long.MaxValue, 2];
        Assert.That(Run(h, new SumKernel(), "SUM", wide, [2], [0], false).Read<long>()[0], Is.EqualTo(long.MinValue + 1));
    }

    [Test]
    public void An_empty_reduced_dimension_gives_each_identity()
    {
        using var h = new ElementwiseTestHarness();
        int[] shape = [3, 0];
        Assert.Multiple(() =>
        {
            Assert.That(Run(h, new SumKernel(), "SUM", new float[0], shape, [1], false).Read<float>().ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f }));
            Assert.That(Run(h, new ReduceProdKernel(), "REDUCE_PROD", new int[0], shape, [1], false).Read<int>().ToArray(), Is.EqualTo(new[] { 1, 1, 1 }));
            Assert.That(Run(h, new ReduceMaxKernel(), "REDUCE_MAX", new float[0], shape, [1], false).Read<float>().ToArray(),
                Is.EqualTo(new[] { -float.MaxValue, -float.MaxValue, -float.MaxValue }));
            Assert.That(Run(h, new ReduceMinKernel(), "REDUCE_MIN", new long[0], shape, [1], false).Read<long>().ToArray(),
                Is.EqualTo(new[] { long.MaxValue, long.MaxValue, long.MaxValue }));
            var any = h.Run(new ReduceAnyKernel(), "REDUCE_ANY", new ReducerOptions(true), h.Input(shape, new byte[0], TensorType.Bool), h.Constant([1], new[] { 1 }));
            Assert.That(any.Read<byte>().ToArray(), Is.EqualTo(new byte[] { 0, 0, 0 }));
        });
    }

    [Test]
    public void Max_and_min_follow_tflites_kernel_on_nan_infinity_and_zero()
    {
        using var h = new ElementwiseTestHarness();
        float nan = float.NaN;
        float[] rows = [nan, 1f, /**/ 1f, nan, /**/ float.NegativeInfinity, float.NegativeInfinity, /**/ 0f, -0f];
        var max = Run(h, new ReduceMaxKernel(), "REDUCE_MAX", rows, [4, 2], [1], false).Read<float>().ToArray();
        Assert.That(max[0], Is.EqualTo(1f), "a NaN is replaced by the next element");
        Assert.That(float.IsNaN(max[1]), Is.True, "a NaN last element survives");
        Assert.That(max[2], Is.EqualTo(-float.MaxValue), "-inf never beats the identity -FLT_MAX");
        Assert.That(BitConverter.SingleToUInt32Bits(max[3]), Is.EqualTo(0x80000000u), "between equal zeros the later wins");
        var min = Run(h, new ReduceMinKernel(), "REDUCE_MIN", rows, [4, 2], [1], false).Read<float>().ToArray();
        Assert.That(min[0], Is.EqualTo(1f));
        Assert.That(float.IsNaN(min[1]), Is.True);
        Assert.That(min[2], Is.EqualTo(float.NegativeInfinity));
    }

    [Test]
    public void Any_reads_nonzero_bytes_as_true_and_writes_zero_or_one()
    {
        using var h = new ElementwiseTestHarness();
        byte[] input = [0, 0, 0, 2, 0x80, 0];
        var output = h.Run(new ReduceAnyKernel(), "REDUCE_ANY", new ReducerOptions(false),
            h.Input([3, 2], input, TensorType.Bool), h.Constant([], new[] { -1 }));
        Assert.That(output.Read<byte>().ToArray(), Is.EqualTo(new byte[] { 0, 1, 1 }));
    }

    [Test]
    public void A_float_sum_of_negative_zeros_is_positive_zero_but_a_scalar_is_copied()
    {
        using var h = new ElementwiseTestHarness();
        var sum = Run(h, new SumKernel(), "SUM", new[] { -0f, -0f }, [2], [0], false);
        Assert.That(BitConverter.SingleToUInt32Bits(sum.Read<float>()[0]), Is.EqualTo(0u));
        var scalar = Run(h, new SumKernel(), "SUM", new[] { -0f }, [], [0], false);
        Assert.That(scalar.Shape.Length, Is.EqualTo(0));
        Assert.That(BitConverter.SingleToUInt32Bits(scalar.Read<float>()[0]), Is.EqualTo(0x80000000u), "a scalar input ignores the axes");
    }

    [Test]
    public void Invalid_axes_and_dtypes_are_rejected_naming_the_node()
    {
        using var h = new ElementwiseTestHarness();
        string Refusal(IKernel kernel, string op, int input, int axes) =>
            Assert.Throws<KernelException>(() => h.Prepare(kernel, op, new ReducerOptions(false), input, axes))!.Message;
        Assert.Multiple(() =>
        {
            Assert.That(Refusal(new SumKernel(), "SUM", h.Input([2, 3], new float[6]), h.Constant([1], new[] { 2 })), Does.Contain("axis 2").And.Contain("SUM"));
            Assert.That(Refusal(new ReduceMaxKernel(), "REDUCE_MAX", h.Input([2, 3], new float[6]), h.Constant([1], new[] { -3 })), Does.Contain("axis -3"));
            Assert.That(Refusal(new ReduceProdKernel(), "REDUCE_PROD", h.Input([2, 3], new float[6]), h.Constant([1, 1], new[] { 1 })), Does.Contain("scalar or a vector"));
            Assert.That(Refusal(new SumKernel(), "SUM", h.Input([2, 3], new sbyte[6]), h.Constant([1], new[] { 1 })), Does.Contain("int8"));
            Assert.That(Refusal(new ReduceAnyKernel(), "REDUCE_ANY", h.Input([2, 3], new float[6]), h.Constant([1], new[] { 1 })), Does.Contain("float32"));
            Assert.That(Refusal(new SumKernel(), "SUM", h.Input([2, 3], new float[6]), h.Constant([1], new[] { 1L })), Does.Contain("int64"));
        });
    }
}
