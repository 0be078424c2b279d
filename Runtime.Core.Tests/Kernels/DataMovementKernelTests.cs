using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>PAD, RESHAPE, CONCATENATION and DEPTH_TO_SPACE: shapes, element placement, dtypes and errors.</summary>
public sealed class DataMovementKernelTests
{
    // ---------------------------------------------------------------- PAD

    private static float[] NaivePad(float[] input, int[] shape, int[] paddings, out int[] outputShape)
    {
        int rank = shape.Length;
        outputShape = Enumerable.Range(0, rank).Select(d => shape[d] + paddings[2 * d] + paddings[2 * d + 1]).ToArray();
        var output = new float[Elementwise.Count(outputShape)];
        for (int i = 0; i < input.Length; i++)
        {
            int[] c = Elementwise.Coordinates(i, shape);
            for (int d = 0; d < rank; d++) c[d] += paddings[2 * d];
            output[Elementwise.Flat(c, outputShape)] = input[i];
        }
        return output;
    }

    [TestCase(new[] { 1, 3, 2, 2 }, new[] { 0, 0, 1, 2, 2, 0, 0, 1 }, TestName = "PAD asymmetric on three dims")]
    [TestCase(new[] { 1, 5, 5, 3 }, new[] { 0, 0, 0, 1, 0, 1, 0, 0 }, TestName = "PAD bottom-right (corpus stride-2 conv)")]
    [TestCase(new[] { 1, 4, 4, 2 }, new[] { 0, 0, 0, 0, 0, 0, 0, 6 }, TestName = "PAD channels (corpus residual)")]
    [TestCase(new[] { 7 }, new[] { 3, 1 }, TestName = "PAD rank 1")]
    [TestCase(new[] { 2, 1, 3, 1, 2 }, new[] { 1, 0, 0, 2, 1, 1, 2, 0, 0, 1 }, TestName = "PAD rank 5")]
    [TestCase(new[] { 2, 3 }, new[] { 0, 0, 0, 0 }, TestName = "PAD nothing")]
    public void Pad_places_the_input_inside_zeros(int[] shape, int[] paddings)
    {
        float[] input = Elementwise.Random(Elementwise.Count(shape), 41).Select(v => v == 0 ? 1f : v).ToArray();
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new PadKernel(), "PAD", null, h.Input(shape, input), h.Constant([shape.Length, 2], paddings));
        float[] expected = NaivePad(input, shape, paddings, out int[] outputShape);
        Assert.That(output.Shape.ToArray(), Is.EqualTo(outputShape));
        Elementwise.AssertBitEqual(output.Read<float>(), expected); // padding is +0 bits
    }

    [Test]
    public void Pad_accepts_int64_paddings_and_moves_any_dtype()
    {
        using var h = new ElementwiseTestHarness();
        var ints = h.Run(new PadKernel(), "PAD", null, h.Input([2, 2], new[] { 1, 2, 3, 4 }), h.Constant([2, 2], new long[] { 1, 0, 0, 1 }));
        Assert.That(ints.Shape.ToArray(), Is.EqualTo(new[] { 3, 3 }));
        Assert.That(ints.Read<int>().ToArray(), Is.EqualTo(new[] { 0, 0, 0, 1, 2, 0, 3, 4, 0 }));
        var bytes = h.Run(new PadKernel(), "PAD", null, h.Input([3], new sbyte[] { -1, -2, -3 }), h.Constant([1, 2], new[] { 2, 1 }));
        Assert.That(bytes.Read<sbyte>().ToArray(), Is.EqualTo(new sbyte[] { 0, 0, -1, -2, -3, 0 }));
    }

    [Test]
    public void Pad_rejects_bad_paddings()
    {
        using var h = new ElementwiseTestHarness();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new PadKernel(), "PAD", null,
                h.Input([2, 2], new float[4]), h.Constant([2, 2], new[] { 0, -1, 0, 0 })))!.Message, Does.Contain("non-negative"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new PadKernel(), "PAD", null,
                h.Input([2, 2], new float[4]), h.Constant([3, 2], new int[6])))!.Message, Does.Contain("[2,2]"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new PadKernel(), "PAD", null,
                h.Input([2, 2], new float[4]), h.Constant([2, 2], new float[4])))!.Message, Does.Contain("int32 or int64"));
        });
    }

    // ---------------------------------------------------------------- RESHAPE

    [Test]
    public void Reshape_from_options_infers_the_minus_one()
    {
        float[] input = Elementwise.Random(4 * 4 * 16, 1);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([1, -1, 16]), h.Input([1, 4, 4, 16], input));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 1, 16, 16 }));
        Elementwise.AssertBitEqual(output.Read<float>(), input);
    }

    [Test]
    public void Reshape_from_a_constant_shape_input_takes_precedence_over_options()
    {
        float[] input = Elementwise.Random(117, 2);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([117]),
            h.Input([1, 1, 1, 117], input), h.Constant([2], new[] { 1, 117 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 1, 117 }));
        Elementwise.AssertBitEqual(output.Read<float>(), input);
    }

    [Test]
    public void Reshape_without_options_uses_the_shape_input()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ReshapeKernel(), "RESHAPE", null, h.Input([2, 3], new[] { 1, 2, 3, 4, 5, 6 }), h.Constant([3], new[] { 3, -1, 1 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 3, 2, 1 }));
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6 }));
    }

    [Test]
    public void Reshape_falls_back_to_options_when_the_shape_input_is_not_an_int32_vector()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([4]), h.Input([2, 2], 1f, 2f, 3f, 4f),
            h.Constant([1], new[] { 4L }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 4 }));
    }

    [Test]
    public void Reshape_legacy_zero_shape_means_a_scalar()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([0]), h.Input([1, 1], 7f));
        Assert.That(output.Rank, Is.Zero);
        Assert.That(output.Read<float>()[0], Is.EqualTo(7f));
    }

    [Test]
    public void Reshape_of_an_empty_tensor_infers_zero()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([0, -1]), h.Input([0, 3], Array.Empty<float>()));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 0, 0 }));
    }

    [Test]
    public void Reshape_rejects_bad_shapes_and_makes_a_run_time_shape_input_a_dynamic_output()
    {
        using var h = new ElementwiseTestHarness();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([-1, -1]),
                h.Input([2, 2], new float[4])))!.Message, Does.Contain("more than one -1"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([3, 2]),
                h.Input([2, 2], new float[4])))!.Message, Does.Contain("4 elements").And.Contain("6 elements"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([3, -1]),
                h.Input([2, 2], new float[4])))!.Message, Does.Contain("cannot reshape"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([-2, -2]),
                h.Input([2, 2], new float[4])))!.Message, Does.Contain("negative"));
            // A shape computed at run time: the output's shape is known only at Invoke (TFLite's SetTensorToDynamic).
            Assert.That(h.Prepare(new ReshapeKernel(), "RESHAPE", new ReshapeOptions([4]),
                h.Input([2, 2], new float[4]), h.Unallocated([1], TensorType.Int32)).IsDynamic, Is.True);
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ReshapeKernel(), "RESHAPE", null,
                h.Input([2, 2], new float[4])))!.Message, Does.Contain("new_shape"));
        });
    }

    // ---------------------------------------------------------------- CONCATENATION

    private static float[] NaiveConcat(IReadOnlyList<(float[] Data, int[] Shape)> inputs, int axis, out int[] outputShape)
    {
        outputShape = (int[])inputs[0].Shape.Clone();
        outputShape[axis] = inputs.Sum(i => i.Shape[axis]);
        var output = new float[Elementwise.Count(outputShape)];
        int offset = 0;
        foreach (var (data, shape) in inputs)
        {
            for (int i = 0; i < data.Length; i++)
            {
                int[] c = Elementwise.Coordinates(i, shape);
                c[axis] += offset;
                output[Elementwise.Flat(c, outputShape)] = data[i];
            }
            offset += shape[axis];
        }
        return output;
    }

    [Test]
    public void Concatenation_on_every_axis_including_negative([Range(-4, 3)] int axis)
    {
        int normalized = axis < 0 ? axis + 4 : axis;
        int[] baseShape = [2, 3, 2, 4];
        var inputs = new List<(float[], int[])>();
        for (int k = 0; k < 3; k++)
        {
            int[] shape = (int[])baseShape.Clone();
            shape[normalized] = k + 1;
            inputs.Add((Elementwise.Random(Elementwise.Count(shape), 50 + k), shape));
        }
        using var h = new ElementwiseTestHarness();
        int[] ids = inputs.Select(i => h.Input(i.Item2, i.Item1)).ToArray();
        var output = h.Run(new ConcatenationKernel(), "CONCATENATION", new ConcatenationOptions(axis, ActivationFunctionType.None), ids);
        float[] expected = NaiveConcat(inputs, normalized, out int[] outputShape);
        Assert.That(output.Shape.ToArray(), Is.EqualTo(outputShape));
        Elementwise.AssertBitEqual(output.Read<float>(), expected);
    }

    [Test]
    public void Concatenation_corpus_anchors_with_a_constant_input()
    {
        float[] a = Elementwise.Random(512 * 16, 1), b = Elementwise.Random(384 * 16, 2);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ConcatenationKernel(), "CONCATENATION", new ConcatenationOptions(1, ActivationFunctionType.None),
            h.Input([1, 512, 16], a), h.Constant([1, 384, 16], b));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 1, 896, 16 }));
        Elementwise.AssertBitEqual(output.Read<float>(), [.. a, .. b]);
    }

    [Test]
    public void Concatenation_applies_a_fused_activation_to_floats()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ConcatenationKernel(), "CONCATENATION", new ConcatenationOptions(0, ActivationFunctionType.Relu6),
            h.Input([2], -1f, 7f), h.Input([1], float.NaN));
        float[] values = output.Read<float>().ToArray();
        Assert.That(values[..2], Is.EqualTo(new[] { 0f, 6f }));
        Assert.That(float.IsNaN(values[2]), Is.True);
    }

    [Test]
    public void Concatenation_moves_int32_and_a_single_input()
    {
        using var h = new ElementwiseTestHarness();
        var two = h.Run(new ConcatenationKernel(), "CONCATENATION", new ConcatenationOptions(-1, ActivationFunctionType.None),
            h.Input([2, 1], new[] { 1, 2 }), h.Input([2, 2], new[] { 3, 4, 5, 6 }));
        Assert.That(two.Read<int>().ToArray(), Is.EqualTo(new[] { 1, 3, 4, 2, 5, 6 }));
        var one = h.Run(new ConcatenationKernel(), "CONCATENATION", new ConcatenationOptions(0, ActivationFunctionType.None),
            h.Input([3], 1f, 2f, 3f));
        Assert.That(one.Read<float>().ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f }));
    }

    [Test]
    public void Concatenation_rejects_mismatched_inputs()
    {
        using var h = new ElementwiseTestHarness();
        var none = new ConcatenationOptions(1, ActivationFunctionType.None);
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ConcatenationKernel(), "CONCATENATION", none,
                h.Input([2, 3], new float[6]), h.Input([3, 3], new float[9])))!.Message, Does.Contain("except along axis 1"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ConcatenationKernel(), "CONCATENATION", none,
                h.Input([2, 3], new float[6]), h.Input([2, 3, 1], new float[6])))!.Message, Does.Contain("rank"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ConcatenationKernel(), "CONCATENATION", none,
                h.Input([2, 3], new float[6]), h.Input([2, 3], new int[6])))!.Message, Does.Contain("int32"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ConcatenationKernel(), "CONCATENATION",
                new ConcatenationOptions(2, ActivationFunctionType.None), h.Input([2, 3], new float[6])))!.Message, Does.Contain("axis 2"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ConcatenationKernel(), "CONCATENATION",
                new ConcatenationOptions(0, ActivationFunctionType.Relu), h.Input([2], new[] { 1, 2 })))!.Message, Does.Contain("float32"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ConcatenationKernel(), "CONCATENATION", null,
                h.Input([2], new float[2])))!.Message, Does.Contain("ConcatenationOptions"));
        });
    }

    // ---------------------------------------------------------------- DEPTH_TO_SPACE

    [TestCase(2, new[] { 1, 2, 3, 8 }, TestName = "DEPTH_TO_SPACE block 2")]
    [TestCase(2, new[] { 2, 3, 2, 4 }, TestName = "DEPTH_TO_SPACE block 2, one output channel, batch 2")]
    [TestCase(3, new[] { 1, 2, 2, 18 }, TestName = "DEPTH_TO_SPACE block 3")]
    [TestCase(1, new[] { 1, 2, 2, 3 }, TestName = "DEPTH_TO_SPACE block 1 is the identity")]
    public void Depth_to_space_follows_tflite_channel_ordering(int blockSize, int[] shape)
    {
        float[] input = Elementwise.Random(Elementwise.Count(shape), 71);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new DepthToSpaceKernel(), "DEPTH_TO_SPACE", new DepthToSpaceOptions(blockSize), h.Input(shape, input));
        int n = shape[0], height = shape[1], width = shape[2], cin = shape[3], cout = cin / (blockSize * blockSize);
        int[] outputShape = [n, height * blockSize, width * blockSize, cout];
        Assert.That(output.Shape.ToArray(), Is.EqualTo(outputShape));
        var expected = new float[input.Length];
        for (int b = 0; b < n; b++)
        for (int y = 0; y < height * blockSize; y++)
        for (int x = 0; x < width * blockSize; x++)
        for (int c = 0; c < cout; c++)
        {
            int inChannel = ((y % blockSize) * blockSize + x % blockSize) * cout + c;
            expected[Elementwise.Flat([b, y, x, c], outputShape)] = input[Elementwise.Flat([b, y / blockSize, x / blockSize, inChannel], shape)];
        }
        Elementwise.AssertBitEqual(output.Read<float>(), expected);
    }

    [Test]
    public void Depth_to_space_moves_int32()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new DepthToSpaceKernel(), "DEPTH_TO_SPACE", new DepthToSpaceOptions(2), h.Input([1, 1, 1, 4], new[] { 1, 2, 3, 4 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 1, 2, 2, 1 }));
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(new[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void Depth_to_space_rejects_bad_blocks()
    {
        using var h = new ElementwiseTestHarness();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new DepthToSpaceKernel(), "DEPTH_TO_SPACE", new DepthToSpaceOptions(2),
                h.Input([1, 2, 2, 6], new float[24])))!.Message, Does.Contain("not divisible"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new DepthToSpaceKernel(), "DEPTH_TO_SPACE", new DepthToSpaceOptions(0),
                h.Input([1, 2, 2, 4], new float[16])))!.Message, Does.Contain("block_size"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new DepthToSpaceKernel(), "DEPTH_TO_SPACE", new DepthToSpaceOptions(2),
                h.Input([2, 2, 4], new float[16])))!.Message, Does.Contain("rank 4"));
        });
    }
}
