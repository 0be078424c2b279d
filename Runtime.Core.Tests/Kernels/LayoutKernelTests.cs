using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>
/// The data-movement family (docs/numerics.md, "Data movement"): each definition's output shape and element placement
/// against an independent naive formula or a worked example, its refusals (bad parameters, run-time shape inputs,
/// out-of-range indices at Invoke), and dtypes other than float32.
/// </summary>
public sealed class LayoutKernelTests
{
    private static float[] Arange(int count) => Enumerable.Range(0, count).Select(i => (float)i).ToArray();

    private static string PrepareError(Action prepare) => Assert.Throws<KernelException>(() => prepare())!.Message;

    // ---------------------------------------------------------------- TRANSPOSE

    [TestCase(new[] { 2, 3, 4, 5 }, new[] { 0, 3, 1, 2 })]
    [TestCase(new[] { 5, 7 }, new[] { 1, 0 })]
    [TestCase(new[] { 2, 1, 3, 2, 2, 3 }, new[] { 5, 4, 3, 2, 1, 0 })]
    [TestCase(new[] { 4, 3, 2 }, new[] { 0, 1, 2 })]
    public void Transpose_moves_each_element_to_its_permuted_coordinate(int[] shape, int[] perm)
    {
        float[] input = Elementwise.RandomWithSpecials(Elementwise.Count(shape), 3);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new StridedCopyKernel(), "TRANSPOSE", null, h.Input(shape, input), h.Constant([perm.Length], perm));
        int[] outShape = perm.Select(p => shape[p]).ToArray();
        var expected = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            int[] c = Elementwise.Coordinates(i, shape);
            expected[Elementwise.Flat(perm.Select(p => c[p]).ToArray(), outShape)] = input[i];
        }
        Assert.That(output.Shape.ToArray(), Is.EqualTo(outShape));
        Elementwise.AssertBitEqual(output.Read<float>(), expected);
    }

    [Test]
    public void Transpose_moves_bytes_of_any_dtype_and_refuses_bad_permutations()
    {
        using var h = new ElementwiseTestHarness();
        var bytes = h.Run(new StridedCopyKernel(), "TRANSPOSE", null, h.Input([2, 3], new sbyte[] { 1, 2, 3, -4, -5, -6 }), h.Constant([2], new[] { 1, 0 }));
        Assert.That(bytes.Read<sbyte>().ToArray(), Is.EqualTo(new sbyte[] { 1, -4, 2, -5, 3, -6 }));
        Assert.Multiple(() =>
        {
            Assert.That(PrepareError(() => h.Prepare(new StridedCopyKernel(), "TRANSPOSE", null, h.Input([2, 3], new float[6]), h.Constant([2], new[] { 0, 0 }))),
                Does.Contain("twice"));
            Assert.That(PrepareError(() => h.Prepare(new StridedCopyKernel(), "TRANSPOSE", null, h.Input([2, 3], new float[6]), h.Constant([2], new[] { 0, 2 }))),
                Does.Contain("out of range"));
            Assert.That(PrepareError(() => h.Prepare(new StridedCopyKernel(), "TRANSPOSE", null, h.Input([1, 1, 1, 1, 1, 1, 1], new float[1]),
                h.Constant([7], new[] { 0, 1, 2, 3, 4, 5, 6 }))), Does.Contain("up to 6"));
        });
    }

    // ---------------------------------------------------------------- SLICE, STRIDED_SLICE

    [Test]
    public void Slice_takes_size_minus_one_to_the_end_and_refuses_what_does_not_fit()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new StridedCopyKernel(), "SLICE", null, h.Input([3, 4], Arange(12)), h.Constant([2], new[] { 1, 1 }), h.Constant([2], new[] { -1, 2 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(output.Read<float>().ToArray(), Is.EqualTo(new float[] { 5, 6, 9, 10 }));
        Assert.That(PrepareError(() => h.Prepare(new StridedCopyKernel(), "SLICE", null, h.Input([3, 4], Arange(12)),
            h.Constant([2], new[] { 2, 0 }), h.Constant([2], new[] { 2, 1 }))), Does.Contain("do not fit"));
    }

    private static float[] StridedSlice(int[] shape, int[] begin, int[] end, int[] strides, StridedSliceOptions options, out int[] outputShape)
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new StridedCopyKernel(), "STRIDED_SLICE", options, h.Input(shape, Arange(Elementwise.Count(shape))),
            h.Constant([begin.Length], begin), h.Constant([end.Length], end), h.Constant([strides.Length], strides));
        outputShape = output.Shape.ToArray();
        return output.Read<float>()[..(int)output.ElementCount].ToArray();
    }

    [TestCase(2, 15, 3, new float[] { 2, 5, 8, 11, 14 }, TestName = "STRIDED_SLICE x[2:15:3]")]
    [TestCase(16, 0, -3, new float[] { 16, 13, 10, 7, 4, 1 }, TestName = "STRIDED_SLICE x[16:0:-3]")]
    [TestCase(-1, -18, -5, new float[] { 16, 11, 6, 1 }, TestName = "STRIDED_SLICE x[-1:-18:-5] (end below the start clamps to -1)")]
    [TestCase(-5, 100, 2, new float[] { 12, 14, 16 }, TestName = "STRIDED_SLICE x[-5:100:2] (end clamps to the size)")]
    [TestCase(5, 2, 1, new float[0], TestName = "STRIDED_SLICE x[5:2] is empty")]
    public void Strided_slice_follows_python_slicing_on_one_axis(int begin, int end, int stride, float[] expected)
    {
        float[] output = StridedSlice([17], [begin], [end], [stride], new StridedSliceOptions(0, 0), out int[] shape);
        Assert.That(shape, Is.EqualTo(new[] { expected.Length }));
        Assert.That(output, Is.EqualTo(expected));
    }

    [Test]
    public void Strided_slice_masks_shrink_ellipsis_new_axis_and_offset()
    {
        // x: [2, 3, 4] = arange(24).
        Assert.Multiple(() =>
        {
            // x[:, 1:, ::-2]: begin and end masks on axes 0 and 2.
            float[] masked = StridedSlice([2, 3, 4], [7, 1, 0], [0, 3, 0], [1, 1, -2], new StridedSliceOptions(BeginMask: 5, EndMask: 5), out int[] s1);
            Assert.That(s1, Is.EqualTo(new[] { 2, 2, 2 }));
            Assert.That(masked, Is.EqualTo(new float[] { 7, 5, 11, 9, 19, 17, 23, 21 }));
            // x[1, :, 2]: shrink axes 0 and 2.
            float[] shrunk = StridedSlice([2, 3, 4], [1, 0, 2], [2, 3, 3], [1, 1, 1], new StridedSliceOptions(0, 0, ShrinkAxisMask: 5), out int[] s2);
            Assert.That(s2, Is.EqualTo(new[] { 3 }));
            Assert.That(shrunk, Is.EqualTo(new float[] { 14, 18, 22 }));
            // x[..., 1]: the ellipsis covers axes 0 and 1; the shrunk entry is the last axis.
            float[] ellipsis = StridedSlice([2, 3, 4], [0, 1], [0, 2], [1, 1], new StridedSliceOptions(0, 0, EllipsisMask: 1, ShrinkAxisMask: 2), out int[] s3);
            Assert.That(s3, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(ellipsis, Is.EqualTo(new float[] { 1, 5, 9, 13, 17, 21 }));
            // x[:1, newaxis, 2:]: a dimension of 1 inserted, the last axis taken whole.
            float[] newAxis = StridedSlice([2, 3, 4], [0, 0, 2], [1, 0, 3], [1, 1, 1], new StridedSliceOptions(0, 0, NewAxisMask: 2), out int[] s4);
            Assert.That(s4, Is.EqualTo(new[] { 1, 1, 1, 4 }));
            Assert.That(newAxis, Is.EqualTo(new float[] { 8, 9, 10, 11 }));
            // offset: end = begin + end.
            float[] offset = StridedSlice([2, 3, 4], [1, 1, 1], [1, 2, 2], [1, 1, 1], new StridedSliceOptions(0, 0, Offset: true), out int[] s5);
            Assert.That(s5, Is.EqualTo(new[] { 1, 2, 2 }));
            Assert.That(offset, Is.EqualTo(new float[] { 17, 18, 21, 22 }));
        });
    }

    [Test]
    public void Strided_slice_refuses_zero_strides_and_shrinks_outside_the_axis()
    {
        using var h = new ElementwiseTestHarness();
        string Error(int[] begin, int[] strides, StridedSliceOptions options) => PrepareError(() =>
            h.Prepare(new StridedCopyKernel(), "STRIDED_SLICE", options, h.Input([4], new float[4]),
                h.Constant([1], begin), h.Constant([1], new[] { 4 }), h.Constant([1], strides)));
        Assert.Multiple(() =>
        {
            Assert.That(Error([0], [0], new StridedSliceOptions(0, 0)), Does.Contain("strides[0] is 0"));
            Assert.That(Error([4], [1], new StridedSliceOptions(0, 0, ShrinkAxisMask: 1)), Does.Contain("outside dimension"));
            Assert.That(Error([1], [-1], new StridedSliceOptions(0, 0, ShrinkAxisMask: 1)), Does.Contain("negative stride"));
        });
    }

    // ---------------------------------------------------------------- GATHER, GATHER_ND

    [TestCase(new[] { 5, 4, 3 }, new[] { 2, 3 }, 1, 0)]
    [TestCase(new[] { 5, 4, 3 }, new[] { 7 }, -1, 0)]
    [TestCase(new[] { 3, 6, 4, 2 }, new[] { 3, 5 }, 2, 1)]
    public void Gather_selects_slices_along_the_axis_per_batch(int[] shape, int[] indicesShape, int axis, int batchDims)
    {
        float[] input = Elementwise.Random(Elementwise.Count(shape), 5);
        int resolved = axis < 0 ? axis + shape.Length : axis;
        int[] indices = Enumerable.Range(0, Elementwise.Count(indicesShape)).Select(i => (i * 7 + 3) % shape[resolved]).ToArray();
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new GatherKernel(), "GATHER", new GatherOptions(axis, batchDims), h.Input(shape, input), h.Constant(indicesShape, indices));
        int[] outShape = [.. shape[..resolved], .. indicesShape[batchDims..], .. shape[(resolved + 1)..]];
        Assert.That(output.Shape.ToArray(), Is.EqualTo(outShape));
        var expected = new float[Elementwise.Count(outShape)];
        for (int i = 0; i < expected.Length; i++)
        {
            int[] c = Elementwise.Coordinates(i, outShape);
            int[] ic = c[..batchDims].Concat(c[resolved..(resolved + indicesShape.Length - batchDims)]).ToArray();
            int[] source = [.. c[..resolved], indices[Elementwise.Flat(ic, indicesShape)], .. c[(resolved + indicesShape.Length - batchDims)..]];
            expected[i] = input[Elementwise.Flat(source, shape)];
        }
        Elementwise.AssertBitEqual(output.Read<float>(), expected);
    }

    [Test]
    public void Gather_index_outside_the_axis_is_a_kernel_error_at_invoke()
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() =>
            h.Run(new GatherKernel(), "GATHER", new GatherOptions(0), h.Input([3, 2], new float[6]), h.Input([2], new long[] { 1, 3 })))!;
        Assert.That(e.Message, Does.Contain("node 0 (GATHER)").And.Contain("is 3, outside [0, 3)"));
        var negative = Assert.Throws<KernelException>(() =>
            h.Run(new GatherKernel(), "GATHER", new GatherOptions(0), h.Input([3, 2], new float[6]), h.Input([1], new[] { -1 })))!;
        Assert.That(negative.Message, Does.Contain("is -1"));
    }

    [Test]
    public void Gather_nd_reads_the_slice_at_each_index_tuple_and_checks_every_index()
    {
        using var h = new ElementwiseTestHarness();
        // x: [2, 3, 2] = arange(12); indices [[1, 2], [0, 1]] → x[1, 2, :], x[0, 1, :].
        var output = h.Run(new GatherNdKernel(), "GATHER_ND", null, h.Input([2, 3, 2], Arange(12)), h.Constant([2, 2], new[] { 1, 2, 0, 1 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(output.Read<float>().ToArray(), Is.EqualTo(new float[] { 10, 11, 2, 3 }));
        // (0, 3) lies inside the flattened tensor but outside dimension 1: refused (TFLite checks only the offset).
        var e = Assert.Throws<KernelException>(() =>
            h.Run(new GatherNdKernel(), "GATHER_ND", null, h.Input([2, 3, 2], Arange(12)), h.Input([1, 2], new[] { 0, 3 })))!;
        Assert.That(e.Message, Does.Contain("outside [0, 3)"));
    }

    // ---------------------------------------------------------------- SPLIT, SPLIT_V, PACK, UNPACK

    private static float[][] RunMultiOutput(ElementwiseTestHarness h, IKernel kernel, string op, OperatorOptions options, int outputs, params int[] inputs)
    {
        int[] outs = Enumerable.Range(0, outputs).Select(_ => h.Output()).ToArray();
        h.Run(kernel, h.Context(op, options, inputs, outs));
        return outs.Select(o => h[o].Read<float>()[..(int)h[o].ElementCount].ToArray()).ToArray();
    }

    [Test]
    public void Split_cuts_the_axis_evenly_and_refuses_an_uneven_split()
    {
        using var h = new ElementwiseTestHarness();
        var parts = RunMultiOutput(h, new SplitKernel(), "SPLIT", new SplitOptions(2), 2, h.Constant([], new[] { -1 }), h.Input([2, 4], Arange(8)));
        Assert.That(parts, Is.EqualTo(new[] { new float[] { 0, 1, 4, 5 }, new float[] { 2, 3, 6, 7 } }));
        string error = PrepareError(() => RunMultiOutput(h, new SplitKernel(), "SPLIT", new SplitOptions(3), 3, h.Constant([], new[] { 1 }), h.Input([2, 4], Arange(8))));
        Assert.That(error, Does.Contain("does not split evenly"));
    }

    [Test]
    public void Split_v_fills_the_minus_one_and_refuses_sizes_that_do_not_add_up()
    {
        using var h = new ElementwiseTestHarness();
        var parts = RunMultiOutput(h, new SplitKernel(), "SPLIT_V", new SplitVOptions(2), 2, h.Input([5], Arange(5)), h.Constant([2], new[] { -1, 2 }), h.Constant([], new[] { 0 }));
        Assert.That(parts, Is.EqualTo(new[] { new float[] { 0, 1, 2 }, new float[] { 3, 4 } }));
        Assert.Multiple(() =>
        {
            Assert.That(PrepareError(() => RunMultiOutput(h, new SplitKernel(), "SPLIT_V", new SplitVOptions(2), 2, h.Input([5], Arange(5)),
                h.Constant([2], new[] { -1, -1 }), h.Constant([], new[] { 0 }))), Does.Contain("more than one -1"));
            Assert.That(PrepareError(() => RunMultiOutput(h, new SplitKernel(), "SPLIT_V", new SplitVOptions(2), 2, h.Input([5], Arange(5)),
                h.Constant([2], new[] { 1, 2 }), h.Constant([], new[] { 0 }))), Does.Contain("add up to 3"));
        });
    }

    [Test]
    public void Pack_stacks_along_a_new_axis_and_unpack_takes_it_apart()
    {
        using var h = new ElementwiseTestHarness();
        var packed = h.Run(new ConcatenationKernel(), "PACK", new PackOptions(2, 1), h.Input([2, 2], Arange(4)), h.Input([2, 2], new float[] { 10, 11, 12, 13 }));
        Assert.That(packed.Shape.ToArray(), Is.EqualTo(new[] { 2, 2, 2 }));
        Assert.That(packed.Read<float>().ToArray(), Is.EqualTo(new float[] { 0, 1, 10, 11, 2, 3, 12, 13 }));
        var unpacked = RunMultiOutput(h, new SplitKernel(), "UNPACK", new UnpackOptions(2, -1), 2, h.Input([3, 2], Arange(6)));
        Assert.That(unpacked, Is.EqualTo(new[] { new float[] { 0, 2, 4 }, new float[] { 1, 3, 5 } }));
        Assert.That(PrepareError(() => RunMultiOutput(h, new SplitKernel(), "UNPACK", new UnpackOptions(3, 0), 3, h.Input([2, 2], Arange(4)))),
            Does.Contain("num is 3"));
    }

    // ---------------------------------------------------------------- SQUEEZE, EXPAND_DIMS, TILE, BROADCAST_TO, REVERSE_V2

    [Test]
    public void Squeeze_and_expand_dims_change_only_the_shape()
    {
        using var h = new ElementwiseTestHarness();
        Assert.Multiple(() =>
        {
            Assert.That(h.Run(new StridedCopyKernel(), "SQUEEZE", new SqueezeOptions([]), h.Input([1, 3, 1], Arange(3))).Shape.ToArray(), Is.EqualTo(new[] { 3 }));
            Assert.That(h.Run(new StridedCopyKernel(), "SQUEEZE", new SqueezeOptions([-1]), h.Input([1, 3, 1], Arange(3))).Shape.ToArray(), Is.EqualTo(new[] { 1, 3 }));
            Assert.That(PrepareError(() => h.Prepare(new StridedCopyKernel(), "SQUEEZE", new SqueezeOptions([1]), h.Input([1, 3, 1], Arange(3)))),
                Does.Contain("has size 3, not 1"));
            var expanded = h.Run(new StridedCopyKernel(), "EXPAND_DIMS", null, h.Input([2, 3], Arange(6)), h.Constant([1], new[] { -1 }));
            Assert.That(expanded.Shape.ToArray(), Is.EqualTo(new[] { 2, 3, 1 }));
            Assert.That(expanded.Read<float>().ToArray(), Is.EqualTo(Arange(6)));
            Assert.That(PrepareError(() => h.Prepare(new StridedCopyKernel(), "EXPAND_DIMS", null, h.Input([2, 3], Arange(6)), h.Constant([1], new[] { 3 }))),
                Does.Contain("out of range"));
        });
    }

    [Test]
    public void Tile_repeats_and_broadcast_to_stretches_ones()
    {
        using var h = new ElementwiseTestHarness();
        var tiled = h.Run(new StridedCopyKernel(), "TILE", null, h.Input([2, 2], Arange(4)), h.Constant([2], new[] { 2, 2 }));
        Assert.That(tiled.Shape.ToArray(), Is.EqualTo(new[] { 4, 4 }));
        Assert.That(tiled.Read<float>().ToArray(), Is.EqualTo(new float[] { 0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3 }));
        var broadcast = h.Run(new StridedCopyKernel(), "BROADCAST_TO", null, h.Input([3, 1], Arange(3)), h.Constant([3], new[] { 2, 3, 2 }));
        Assert.That(broadcast.Shape.ToArray(), Is.EqualTo(new[] { 2, 3, 2 }));
        Assert.That(broadcast.Read<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2 }));
        Assert.That(PrepareError(() => h.Prepare(new StridedCopyKernel(), "BROADCAST_TO", null, h.Input([3, 2], Arange(6)), h.Constant([2], new[] { 3, 4 }))),
            Does.Contain("cannot be broadcast"));
    }

    [Test]
    public void Reverse_v2_reverses_every_listed_axis()
    {
        using var h = new ElementwiseTestHarness();
        var reversed = h.Run(new StridedCopyKernel(), "REVERSE_V2", null, h.Input([2, 3], Arange(6)), h.Constant([2], new[] { 0, -1 }));
        Assert.That(reversed.Read<float>().ToArray(), Is.EqualTo(new float[] { 5, 4, 3, 2, 1, 0 }));
        var one = h.Run(new StridedCopyKernel(), "REVERSE_V2", null, h.Input([2, 3], new[] { 1, 2, 3, 4, 5, 6 }), h.Constant([1], new[] { 1 }));
        Assert.That(one.Read<int>().ToArray(), Is.EqualTo(new[] { 3, 2, 1, 6, 5, 4 }));
    }

    // ---------------------------------------------------------------- PADV2, MIRROR_PAD

    [Test]
    public void Padv2_pads_with_the_value_input_or_zeros()
    {
        using var h = new ElementwiseTestHarness();
        var valued = h.Run(new PadV2Kernel(), "PADV2", null, h.Input([2], new[] { 1, 2 }), h.Constant([1, 2], new[] { 1, 2 }), h.Input([], new[] { -7 }));
        Assert.That(valued.Read<int>().ToArray(), Is.EqualTo(new[] { -7, 1, 2, -7, -7 }));
        var zeros = h.Run(new PadV2Kernel(), "PADV2", null, h.Input([2], new[] { 1, 2 }), h.Constant([1, 2], new[] { 0, 1 }));
        Assert.That(zeros.Read<int>().ToArray(), Is.EqualTo(new[] { 1, 2, 0 }));
    }

    [TestCase(MirrorPadMode.Reflect, new float[] { 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1 })]
    [TestCase(MirrorPadMode.Symmetric, new float[] { 2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2, 5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5 })]
    public void Mirror_pad_matches_tensorflows_worked_example(MirrorPadMode mode, float[] expected)
    {
        // tf.pad([[1, 2, 3], [4, 5, 6]], [[1, 1], [2, 2]], mode) from TensorFlow's documentation.
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new MirrorPadKernel(), "MIRROR_PAD", new MirrorPadOptions(mode), h.Input([2, 3], new float[] { 1, 2, 3, 4, 5, 6 }),
            h.Constant([2, 2], new[] { 1, 1, 2, 2 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 4, 7 }));
        Assert.That(output.Read<float>().ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Mirror_pad_refuses_paddings_beyond_the_mirrored_edge()
    {
        using var h = new ElementwiseTestHarness();
        Assert.Multiple(() =>
        {
            Assert.That(PrepareError(() => h.Prepare(new MirrorPadKernel(), "MIRROR_PAD", new MirrorPadOptions(MirrorPadMode.Reflect),
                h.Input([3], new float[3]), h.Constant([1, 2], new[] { 3, 0 }))), Does.Contain("exceed 2"));
            Assert.That(PrepareError(() => h.Prepare(new MirrorPadKernel(), "MIRROR_PAD", new MirrorPadOptions(MirrorPadMode.Symmetric),
                h.Input([3], new float[3]), h.Constant([1, 2], new[] { 0, 4 }))), Does.Contain("exceed 3"));
        });
    }
}
