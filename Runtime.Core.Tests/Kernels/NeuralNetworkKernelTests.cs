using Accel.Kernels.Geometry;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>
/// TRANSPOSE_CONV, BATCH_MATMUL, L2_POOL_2D and RESIZE_NEAREST_NEIGHBOR: the definitions' shapes and refusals, and the
/// reference kernels against TFLite's reference formulation written out independently (in double where TFLite rounds
/// differently, bit for bit where Accel follows it operation for operation).
/// </summary>
public sealed class NeuralNetworkKernelTests
{
    // ------------------------------------------------------------------------------------------------ TRANSPOSE_CONV

    [TestCase(4, 5, 3, 3, 2, 2, Padding.Same, 8, 10, true, ActivationFunctionType.None)]
    [TestCase(4, 5, 3, 3, 2, 2, Padding.Valid, 9, 11, true, ActivationFunctionType.None)]
    [TestCase(4, 5, 2, 4, 2, 3, Padding.Same, 7, 15, false, ActivationFunctionType.Relu)]
    [TestCase(3, 3, 1, 1, 1, 1, Padding.Valid, 3, 3, true, ActivationFunctionType.ReluN1To1)]
    [TestCase(3, 4, 4, 2, 3, 2, Padding.Valid, 10, 8, false, ActivationFunctionType.Relu6)]
    public void Transpose_conv_matches_the_tflite_scatter_in_double(int height, int width, int kh, int kw, int strideH, int strideW,
        Padding padding, int outH, int outW, bool hasBias, ActivationFunctionType activation)
    {
        const int batches = 2, inDepth = 3, outDepth = 4;
        using var h = new KernelTestHarness();
        int[] inputShape = [batches, height, width, inDepth], weightsShape = [outDepth, kh, kw, inDepth];
        float[] input = KernelTestData.Random(Conv2DKernelTests.Product(inputShape), 1, 2f);
        float[] weights = KernelTestData.Random(Conv2DKernelTests.Product(weightsShape), 2);
        float[] bias = KernelTestData.Random(outDepth, 3);
        int shape = h.Constant<int>("output_shape", TensorType.Int32, [4], [batches, outH, outW, outDepth]);
        int w = h.Constant("weights", weightsShape, weights);
        int x = h.Input("input", inputShape, input);
        int[] inputs = hasBias ? [shape, w, x, h.Constant("bias", [outDepth], bias)] : [shape, w, x];
        float[] actual = h.RunFloat(new TransposeConvKernel(), "TRANSPOSE_CONV", new TransposeConvOptions(padding, strideW, strideH, activation), inputs);
        Assert.That(h.LastOutput!.Shape.ToArray(), Is.EqualTo(new[] { batches, outH, outW, outDepth }));

        // TFLite's reference: padding of a forward conv over the output size; scatter into zeros; + bias; clamp.
        int padTop = SamePad(padding, outH, kh, strideH), padLeft = SamePad(padding, outW, kw, strideW);
        var expected = new double[actual.Length];
        for (int b = 0; b < batches; b++)
        for (int iy = 0; iy < height; iy++)
        for (int ix = 0; ix < width; ix++)
        for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++)
        for (int oc = 0; oc < outDepth; oc++)
        for (int ic = 0; ic < inDepth; ic++)
        {
            int oy = iy * strideH - padTop + ky, ox = ix * strideW - padLeft + kx;
            if (oy < 0 || ox < 0 || oy >= outH || ox >= outW) continue;
            expected[((b * outH + oy) * outW + ox) * outDepth + oc] +=
                (double)input[((b * height + iy) * width + ix) * inDepth + ic] * weights[((oc * kh + ky) * kw + kx) * inDepth + ic];
        }
        for (int i = 0; i < expected.Length; i++)
            expected[i] = KernelTestData.Activate(expected[i] + (hasBias ? bias[i % outDepth] : 0), activation);
        KernelTestData.AssertClose(actual, expected);
    }

    private static int SamePad(Padding padding, int size, int filter, int stride)
    {
        if (padding == Padding.Valid) return 0;
        int forward = (size + stride - 1) / stride;
        return Math.Max((forward - 1) * stride + filter - size, 0) / 2;
    }

    [TestCase(1, 9, 10, 4, "does not match the input")]   // a forward conv of 9 rows at stride 2 gives 5, not 4
    [TestCase(2, 8, 10, 4, "batches 1")]
    [TestCase(1, 8, 10, 5, "output channels 4")]
    public void Transpose_conv_refuses_an_output_shape_that_does_not_fit(int n, int oh, int ow, int oc, string message)
    {
        using var h = new KernelTestHarness();
        int shape = h.Constant<int>("output_shape", TensorType.Int32, [4], [n, oh, ow, oc]);
        int w = h.Constant("weights", [4, 3, 3, 2], new float[72]);
        int x = h.Input("input", [1, 4, 5, 2], new float[40]);
        var error = Assert.Throws<KernelException>(() =>
            h.RunFloat(new TransposeConvKernel(), "TRANSPOSE_CONV", new TransposeConvOptions(Padding.Same, 2, 2), [shape, w, x]));
        Assert.That(error!.Message, Does.Contain(message));
    }

    // ------------------------------------------------------------------------------------------------ BATCH_MATMUL

    [TestCase(new[] { 2, 3, 5 }, new[] { 2, 5, 4 }, false, false, new[] { 2, 3, 4 })]
    [TestCase(new[] { 2, 5, 3 }, new[] { 2, 4, 5 }, true, true, new[] { 2, 3, 4 })]
    [TestCase(new[] { 3, 5 }, new[] { 2, 4, 5 }, false, true, new[] { 2, 3, 4 })]
    [TestCase(new[] { 2, 1, 2, 3, 5 }, new[] { 1, 3, 1, 5, 4 }, false, false, new[] { 2, 3, 2, 3, 4 })]
    [TestCase(new[] { 2, 3, 0 }, new[] { 0, 4 }, false, false, new[] { 2, 3, 4 })]
    public void Batch_matmul_broadcasts_batches_and_is_one_fma_chain_per_output(int[] lhsShape, int[] rhsShape, bool adjX, bool adjY, int[] outputShape)
    {
        using var h = new KernelTestHarness();
        float[] lhs = KernelTestData.Random(Conv2DKernelTests.Product(lhsShape), 4);
        float[] rhs = KernelTestData.Random(Conv2DKernelTests.Product(rhsShape), 5);
        float[] actual = h.RunFloat(new BatchMatMulKernel(), "BATCH_MATMUL", new BatchMatMulOptions(adjX, adjY),
            [h.Input("lhs", lhsShape, lhs), h.Input("rhs", rhsShape, rhs)]);
        Assert.That(h.LastOutput!.Shape.ToArray(), Is.EqualTo(outputShape));

        // The spec written out with NumPy-style broadcasting over explicit batch coordinates.
        int rank = outputShape.Length, m = outputShape[rank - 2], n = outputShape[rank - 1];
        int[] l = Extend(lhsShape, rank), r = Extend(rhsShape, rank);
        int k = adjX ? l[rank - 2] : l[rank - 1];
        int batches = actual.Length / Math.Max(m * n, 1);
        var expected = new float[actual.Length];
        var index = new int[rank - 2];
        for (int b = 0; b < batches; b++)
        {
            int lb = 0, rb = 0, rem = b;
            for (int d = rank - 3; d >= 0; d--) { index[d] = rem % outputShape[d]; rem /= outputShape[d]; }
            for (int d = 0; d < rank - 2; d++)
            {
                lb = lb * l[d] + (l[d] == 1 ? 0 : index[d]);
                rb = rb * r[d] + (r[d] == 1 ? 0 : index[d]);
            }
            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float acc = 0f;
                for (int kk = 0; kk < k; kk++)
                {
                    float a = adjX ? lhs[lb * m * k + kk * m + i] : lhs[lb * m * k + i * k + kk];
                    float c = adjY ? rhs[rb * k * n + j * k + kk] : rhs[rb * k * n + kk * n + j];
                    acc = MathF.FusedMultiplyAdd(a, c, acc);
                }
                expected[(b * m + i) * n + j] = acc;
            }
        }
        KernelTestData.AssertBitEqual(actual, expected);
    }

    private static int[] Extend(int[] shape, int rank) => Enumerable.Repeat(1, rank - shape.Length).Concat(shape).ToArray();

    [TestCase(new[] { 2, 3, 5 }, new[] { 2, 4, 4 }, "inner dimensions differ")]
    [TestCase(new[] { 2, 3, 5 }, new[] { 3, 5, 4 }, "does not broadcast")]
    [TestCase(new[] { 1, 1, 1, 1, 1, 3, 5 }, new[] { 5, 4 }, "rank 2 to 5")]
    [TestCase(new[] { 5 }, new[] { 5, 4 }, "rank 2 to 5")]
    public void Batch_matmul_refuses_shapes_tflite_refuses(int[] lhsShape, int[] rhsShape, string message)
    {
        using var h = new KernelTestHarness();
        var error = Assert.Throws<KernelException>(() => h.RunFloat(new BatchMatMulKernel(), "BATCH_MATMUL", new BatchMatMulOptions(false, false),
            [h.Input("lhs", lhsShape, new float[Conv2DKernelTests.Product(lhsShape)]), h.Input("rhs", rhsShape, new float[Conv2DKernelTests.Product(rhsShape)])]));
        Assert.That(error!.Message, Does.Contain(message));
    }

    // ------------------------------------------------------------------------------------------------ L2_POOL_2D

    [TestCase(2, 2, Padding.Valid, ActivationFunctionType.None)]
    [TestCase(3, 2, Padding.Same, ActivationFunctionType.Relu6)]
    [TestCase(3, 1, Padding.Same, ActivationFunctionType.None)]
    public void L2_pool_follows_tflite_reference_operation_for_operation(int filter, int stride, Padding padding, ActivationFunctionType activation)
    {
        using var h = new KernelTestHarness();
        const int height = 5, width = 6, depth = 3;
        float[] input = KernelTestData.Random(height * width * depth, 6, 4f);
        float[] actual = h.RunFloat(new L2Pool2DKernel(), "L2_POOL_2D", new Pool2DOptions(padding, stride, stride, filter, filter, activation),
            [h.Input("input", [1, height, width, depth], input)]);
        var rows = SpatialPadding.Compute(padding, height, filter, stride, 1);
        var cols = SpatialPadding.Compute(padding, width, filter, stride, 1);
        Assert.That(h.LastOutput!.Shape.ToArray(), Is.EqualTo(new[] { 1, rows.OutputSize, cols.OutputSize, depth }));
        var expected = new float[actual.Length];
        int o = 0;
        for (int oy = 0; oy < rows.OutputSize; oy++)
        for (int ox = 0; ox < cols.OutputSize; ox++)
        for (int c = 0; c < depth; c++)
        {
            float sum = 0f;
            int count = 0;
            for (int ky = 0; ky < filter; ky++)
            for (int kx = 0; kx < filter; kx++)
            {
                int iy = oy * stride - rows.PadBefore + ky, ix = ox * stride - cols.PadBefore + kx;
                if (iy < 0 || ix < 0 || iy >= height || ix >= width) continue;
                float v = input[(iy * width + ix) * depth + c];
                float square = v * v;
                sum += square;
                count++;
            }
            expected[o++] = (float)KernelTestData.Activate(MathF.Sqrt(sum / count), activation);
        }
        KernelTestData.AssertBitEqual(actual, expected);
    }

    [Test]
    public void L2_pool_lowers_an_overflowing_result_to_float_max_as_tflite_clamps_and_keeps_nan()
    {
        using var h = new KernelTestHarness();
        float[] actual = h.RunFloat(new L2Pool2DKernel(), "L2_POOL_2D", new Pool2DOptions(Padding.Valid, 1, 1, 1, 1, ActivationFunctionType.None),
            [h.Input("input", [1, 1, 3, 1], 3e30f, float.NegativeInfinity, float.NaN)]);
        Assert.That(actual[0], Is.EqualTo(float.MaxValue));
        Assert.That(actual[1], Is.EqualTo(float.MaxValue));
        Assert.That(float.IsNaN(actual[2]));
    }

    // ------------------------------------------------------------------------------------------------ RESIZE_NEAREST_NEIGHBOR

    // Worked by hand from TFLite's GetNearestNeighbor.
    [TestCase(4, 8, false, false, new[] { 0, 0, 1, 1, 2, 2, 3, 3 })]
    [TestCase(5, 3, false, false, new[] { 0, 1, 3 })]            // scale 5/3: floor(0), floor(1.67), floor(3.33)
    [TestCase(5, 3, true, false, new[] { 0, 2, 4 })]             // scale 2: round(0, 2, 4)
    [TestCase(4, 3, true, false, new[] { 0, 2, 3 })]             // scale 1.5: round(1.5) = 2 (half away from zero)
    [TestCase(5, 3, false, true, new[] { 0, 2, 4 })]             // (o + 0.5)·5/3: 0.83, 2.5, 4.17
    [TestCase(3, 7, true, true, new[] { 0, 1, 1, 1, 2, 2, 2 })]  // scale 1/3: (o + 0.5)/3 = 0.17, 0.5, 0.83, 1.17, 1.5, 1.83, 2.17
    [TestCase(3, 1, true, false, new[] { 0 })]                   // out = 1: scale in/out even with align_corners
    public void Nearest_neighbor_source_indices_follow_tflite_rounding(int input, int output, bool alignCorners, bool halfPixelCenters, int[] expected) =>
        Assert.That(ResizeNearestNeighborAxis.SourceIndices(output, input, alignCorners, halfPixelCenters), Is.EqualTo(expected));

    [Test]
    public void Nearest_neighbor_moves_whole_pixels_of_any_supported_dtype()
    {
        using var h = new KernelTestHarness();
        sbyte[] input = [1, -2, 3, -4, 5, -6, 7, -8]; // [1, 2, 2, 2]
        int x = h.Input<sbyte>("input", TensorType.Int8, [1, 2, 2, 2], input);
        int size = h.Constant<int>("size", TensorType.Int32, [2], [3, 1]);
        int output = h.Output("output", TensorType.Int8);
        h.Run(new ResizeNearestNeighborKernel(), h.Context("RESIZE_NEAREST_NEIGHBOR", new ResizeNearestNeighborOptions(false, false), [x, size], [output]));
        Assert.That(h[output].Shape.ToArray(), Is.EqualTo(new[] { 1, 3, 1, 2 }));
        // Rows 0, 0, 1 (scale 2/3), column 0.
        Assert.That(h[output].Read<sbyte>().ToArray(), Is.EqualTo(new sbyte[] { 1, -2, 1, -2, 5, -6 }));
    }

    [TestCase(new[] { 0, 3 }, "must be positive")]
    [TestCase(new[] { 3 }, "must have shape [2]")]
    public void Nearest_neighbor_refuses_a_bad_size(int[] size, string message)
    {
        using var h = new KernelTestHarness();
        int x = h.Input("input", [1, 2, 2, 1], 1f, 2f, 3f, 4f);
        int s = h.Constant<int>("size", TensorType.Int32, [size.Length], size);
        var error = Assert.Throws<KernelException>(() =>
            h.RunFloat(new ResizeNearestNeighborKernel(), "RESIZE_NEAREST_NEIGHBOR", new ResizeNearestNeighborOptions(false, false), [x, s]));
        Assert.That(error!.Message, Does.Contain(message));
    }

    /// <summary>
    /// Fuzzer finding (docs/fuzzing.md, run U): a run-time size of 1826699408 x 2042233788 on 3 channels overflowed the
    /// long element count, passed the 2^31 check and built 15 GB of source index tables before the output was refused.
    /// </summary>
    [TestCase(1826699408, 2042233788, 3)]
    [TestCase(65536, 65536, 1)]
    public void Nearest_neighbor_refuses_an_output_beyond_2_to_the_31_elements_before_building_its_tables(int height, int width, int channels)
    {
        using var h = new KernelTestHarness();
        int x = h.Input("input", [1, 2, 2, channels], new float[4 * channels]);
        int s = h.Constant<int>("size", TensorType.Int32, [2], [height, width]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<KernelException>(() =>
            h.RunFloat(new ResizeNearestNeighborKernel(), "RESIZE_NEAREST_NEIGHBOR", new ResizeNearestNeighborOptions(false, false), [x, s]));
        Assert.That(error!.Message, Does.Contain("2^31 - 1 elements"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20), "no table was built");
    }
}
