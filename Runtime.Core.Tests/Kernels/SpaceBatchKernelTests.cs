using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>SPACE_TO_DEPTH, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND: output shapes, element placement, refusals.</summary>
public sealed class SpaceBatchKernelTests
{
    private static float[] Iota(int count) => Enumerable.Range(0, count).Select(i => (float)i).ToArray();

    [Test]
    public void Space_to_depth_places_each_block_in_the_depth_and_depth_to_space_undoes_it()
    {
        int[] shape = [2, 4, 6, 3];
        float[] input = Iota(Elementwise.Count(shape));
        using var h = new ElementwiseTestHarness();
        var packed = h.Run(new SpaceToDepthKernel(), "SPACE_TO_DEPTH", new SpaceToDepthOptions(2), h.Input(shape, input));
        Assert.That(packed.Shape.ToArray(), Is.EqualTo(new[] { 2, 2, 3, 12 }));
        float[] values = packed.Read<float>().ToArray();
        // out[b, y, x, (dy*2 + dx)*3 + c] = in[b, 2y + dy, 2x + dx, c]
        Assert.That(values[Elementwise.Flat([1, 1, 2, (1 * 2 + 0) * 3 + 2], [2, 2, 3, 12])],
            Is.EqualTo(input[Elementwise.Flat([1, 3, 4, 2], shape)]));
        var unpacked = h.Run(new DepthToSpaceKernel(), "DEPTH_TO_SPACE", new DepthToSpaceOptions(2), h.Input([2, 2, 3, 12], values));
        Assert.That(unpacked.Read<float>().ToArray(), Is.EqualTo(input));
    }

    [TestCase(new[] { 1, 5, 6, 2 }, 2, "multiples of block_size")]
    [TestCase(new[] { 1, 4, 4, 2 }, 0, "at least 1")]
    [TestCase(new[] { 4, 4, 2 }, 2, "rank")]
    public void Space_to_depth_refuses_what_tflite_refuses(int[] shape, int block, string message)
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() =>
            h.Prepare(new SpaceToDepthKernel(), "SPACE_TO_DEPTH", new SpaceToDepthOptions(block), h.Input(shape, new float[Elementwise.Count(shape)])));
        Assert.That(e!.Message, Does.Contain(message));
    }

    /// <summary>TensorFlow's definition, written independently: pad, then pick every block offset as a new batch.</summary>
    private static float[] SpaceToBatchByDefinition(float[] input, int[] shape, int[] block, int[] paddings, out int[] outputShape)
    {
        bool fourD = shape.Length == 4;
        int n = shape[0], height = shape[1], width = fourD ? shape[2] : 1, depth = shape[^1];
        int bh = block[0], bw = fourD ? block[1] : 1, top = paddings[0], left = fourD ? paddings[2] : 0;
        int paddedH = height + paddings[0] + paddings[1], paddedW = fourD ? width + paddings[2] + paddings[3] : 1;
        int outH = paddedH / bh, outW = paddedW / bw;
        outputShape = fourD ? [n * bh * bw, outH, outW, depth] : [n * bh, outH, depth];
        var output = new float[n * bh * bw * outH * outW * depth];
        int o = 0;
        for (int dy = 0; dy < bh; dy++)
        for (int dx = 0; dx < bw; dx++)
        for (int b = 0; b < n; b++)
        for (int y = 0; y < outH; y++)
        for (int x = 0; x < outW; x++)
        for (int c = 0; c < depth; c++)
        {
            int sy = y * bh + dy - top, sx = x * bw + dx - left;
            output[o++] = sy >= 0 && sy < height && sx >= 0 && sx < width ? input[((b * height + sy) * width + sx) * depth + c] : 0f;
        }
        return output;
    }

    [TestCase(new[] { 1, 4, 6, 3 }, new[] { 2, 2 }, new[] { 0, 0, 0, 0 })]
    [TestCase(new[] { 2, 5, 7, 3 }, new[] { 3, 2 }, new[] { 1, 0, 0, 1 })]
    [TestCase(new[] { 3, 4, 6, 1 }, new[] { 1, 3 }, new[] { 0, 0, 0, 0 })]
    [TestCase(new[] { 2, 5, 4 }, new[] { 2 }, new[] { 1, 2 })]
    public void Space_to_batch_matches_the_definition_and_batch_to_space_undoes_it(int[] shape, int[] block, int[] paddings)
    {
        float[] input = Iota(Elementwise.Count(shape)).Select(v => v + 1).ToArray(); // no zeros: padding shows
        float[] expected = SpaceToBatchByDefinition(input, shape, block, paddings, out int[] expectedShape);
        using var h = new ElementwiseTestHarness();
        var batched = h.Run(new SpaceToBatchNdKernel(), "SPACE_TO_BATCH_ND", null,
            h.Input(shape, input), h.Constant([block.Length], block), h.Constant([block.Length, 2], paddings));
        Assert.That(batched.Shape.ToArray(), Is.EqualTo(expectedShape));
        float[] values = batched.Read<float>().ToArray();
        Elementwise.AssertBitEqual(values, expected);

        var restored = h.Run(new BatchToSpaceNdKernel(), "BATCH_TO_SPACE_ND", null,
            h.Input(expectedShape, values), h.Constant([block.Length], block), h.Constant([block.Length, 2], paddings));
        Assert.That(restored.Shape.ToArray(), Is.EqualTo(shape));
        Elementwise.AssertBitEqual(restored.Read<float>().ToArray(), input);
    }

    [TestCase("SPACE_TO_BATCH_ND", new[] { 1, 5, 6, 1 }, new[] { 2, 2 }, new[] { 0, 0, 0, 0 }, "not a multiple of block_shape[0]")]
    [TestCase("SPACE_TO_BATCH_ND", new[] { 1, 4, 6, 1 }, new[] { 2, 0 }, new[] { 0, 0, 0, 0 }, "at least 1")]
    [TestCase("SPACE_TO_BATCH_ND", new[] { 1, 4, 6, 1 }, new[] { 2, 2 }, new[] { -2, 0, 0, 0 }, "non-negative")]
    [TestCase("SPACE_TO_BATCH_ND", new[] { 1, 4, 6, 1 }, new[] { 2 }, new[] { 0, 0 }, "block_shape")]
    [TestCase("SPACE_TO_BATCH_ND", new[] { 4, 6 }, new[] { 2 }, new[] { 0, 0 }, "rank 3 or 4")]
    [TestCase("BATCH_TO_SPACE_ND", new[] { 3, 2, 2, 1 }, new[] { 2, 2 }, new[] { 0, 0, 0, 0 }, "not a multiple of the block_shape product")]
    [TestCase("BATCH_TO_SPACE_ND", new[] { 4, 2, 2, 1 }, new[] { 2, 2 }, new[] { 3, 2, 0, 0 }, "exceed")]
    [TestCase("BATCH_TO_SPACE_ND", new[] { 4, 2, 2, 1 }, new[] { 2, 2 }, new[] { 0, 0, 0, -1 }, "non-negative")]
    public void Space_batch_rearrangements_refuse_what_tflite_refuses(string op, int[] shape, int[] block, int[] amounts, string message)
    {
        using var h = new ElementwiseTestHarness();
        IKernel kernel = op == "SPACE_TO_BATCH_ND" ? new SpaceToBatchNdKernel() : new BatchToSpaceNdKernel();
        var e = Assert.Throws<KernelException>(() => h.Prepare(kernel, op, null,
            h.Input(shape, new float[Elementwise.Count(shape)]), h.Constant([block.Length], block), h.Constant([amounts.Length / 2, 2], amounts)));
        Assert.That(e!.Message, Does.Contain(op).And.Contain(message));
    }
}
