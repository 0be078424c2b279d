using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>RESIZE_BILINEAR: align_corners, half_pixel_centers or neither, up- and downscaling, bit-identical to the reference.</summary>
[TestFixture]
public sealed class VulkanResizeBilinearTests
{
    private static byte[] ResizeModel(int[] shape, int outputHeight, int outputWidth, ResizeBilinearOptions? options)
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", shape);
        int size = mb.AddConstant("size", [2], new[] { outputHeight, outputWidth });
        int y = mb.Tensor("y", shape[0], outputHeight, outputWidth, shape[3]);
        mb.AddOperator(BuiltinOperator.ResizeBilinear, [x, size], [y], options);
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    private static readonly ResizeBilinearOptions?[] Modes =
        [null, new(false, false), new(true, false), new(false, true)];

    [Test]
    public void RandomSizesUpAndDownWithEveryCoordinateModeMatchTheReferenceBitForBit()
    {
        var random = new Random(100);
        for (int t = 0; t < 48; t++)
        {
            int[] shape = [random.Next(1, 3), random.Next(1, 10), random.Next(1, 10), new[] { 1, 3, 8, 63, 64, 65 }[random.Next(6)]];
            // Upscales (integer and fractional factors), downscales, and output size 1 (align_corners' special case).
            int outputHeight = t % 6 == 0 ? 1 : random.Next(1, 3 * shape[1] + 2);
            int outputWidth = t % 7 == 0 ? 1 : random.Next(1, 3 * shape[2] + 2);
            var options = Modes[t % Modes.Length];
            var bytes = ResizeModel(shape, outputHeight, outputWidth, options);
            string name = $"RESIZE_BILINEAR [{string.Join(",", shape)}] → {outputHeight}x{outputWidth} {options?.ToString() ?? "no options"}";
            var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.1), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void CorpusLikeTwoTimesHalfPixelUpscalesMatchTheReference()
    {
        // The corpus's segmentation decoders: 2x upscales with half_pixel_centers (in_y < 0 on the first row: weights 1.25 and −0.25).
        var random = new Random(101);
        foreach (var shape in new[] { new[] { 1, 16, 16, 64 }, [1, 32, 32, 16], [1, 9, 7, 65] })
            foreach (var options in new[] { new ResizeBilinearOptions(false, true), new ResizeBilinearOptions(true, false) })
            {
                var bytes = ResizeModel(shape, 2 * shape[1], 2 * shape[2], options);
                VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.0),
                    $"2x [{string.Join(",", shape)}] {options}");
            }
    }

    [Test]
    public void SpecialValuesGiveTheReferencesNaNInfinitySignedZeroAndSubnormalResults()
    {
        // inf · 0 weights give NaN, −0 · positive weights and sums of −0 keep their sign rules, subnormal products.
        var random = new Random(102);
        foreach (var options in Modes)
        {
            var bytes = ResizeModel([1, 5, 4, 67], 9, 11, options);
            VulkanHarness.AssertBitExact(bytes, [VulkanHarness.Values(random, 5 * 4 * 67, 0.6)], $"specials {options}");
            var negativeZeros = Enumerable.Repeat(-0f, 5 * 4 * 67).ToArray();
            VulkanHarness.AssertBitExact(bytes, [negativeZeros], $"-0 {options}");
        }
    }
}
