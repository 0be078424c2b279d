using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>MAX_POOL_2D and AVERAGE_POOL_2D: every padding, stride, filter and activation, bit-identical to the reference.</summary>
[TestFixture]
public sealed class VulkanPoolTests
{
    private static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    private static byte[] PoolModel(BuiltinOperator op, int[] shape, Pool2DOptions options, out int[] outputShape)
    {
        int OutputSize(int size, int filter, int stride) => options.Padding == Padding.Same
            ? (size + stride - 1) / stride
            : Math.Max((size - filter + stride) / stride, 0);
        outputShape = [shape[0], OutputSize(shape[1], options.FilterHeight, options.StrideH), OutputSize(shape[2], options.FilterWidth, options.StrideW), shape[3]];
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", shape);
        int y = mb.Tensor("y", outputShape);
        mb.AddOperator(op, [x], [y], options);
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    [TestCase(BuiltinOperator.MaxPool2D)]
    [TestCase(BuiltinOperator.AveragePool2D)]
    public void RandomWindowsWithEveryPaddingStrideAndActivationMatchTheReferenceBitForBit(BuiltinOperator op)
    {
        var random = new Random(40 + (int)op);
        for (int i = 0; i < 32; i++)
        {
            // Channel counts around the 64-wide workgroup; odd spatial sizes; filters larger than the input under SAME.
            int[] shape = [random.Next(1, 3), random.Next(1, 12), random.Next(1, 12), new[] { 1, 3, 7, 63, 64, 65, 129 }[random.Next(7)]];
            var padding = i % 2 == 0 ? Padding.Same : Padding.Valid;
            int filterH = random.Next(1, 6), filterW = random.Next(1, 6);
            if (padding == Padding.Valid)
            {
                filterH = Math.Min(filterH, shape[1]);
                filterW = Math.Min(filterW, shape[2]);
            }
            var options = new Pool2DOptions(padding, random.Next(1, 4), random.Next(1, 4), filterW, filterH, Activations[i % 4]);
            var bytes = PoolModel(op, shape, options, out var outputShape);
            string name = $"{op} [{string.Join(",", shape)}] → [{string.Join(",", outputShape)}] {options}";
            var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.15), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [TestCase(BuiltinOperator.MaxPool2D)]
    [TestCase(BuiltinOperator.AveragePool2D)]
    public void GlobalPoolsLikeTheCorpusOnesMatchTheReference(BuiltinOperator op)
    {
        var random = new Random(50 + (int)op);
        // Global pools (window = the whole image, count a power of two or not) and 2x2/2 downsampling.
        foreach (var (shape, filter, stride) in new (int[], int, int)[] { ([1, 16, 16, 33], 16, 16), ([1, 7, 9, 5], 0, 1), ([2, 24, 24, 65], 2, 2), ([1, 1, 1, 70], 1, 1) })
        {
            int fh = filter == 0 ? shape[1] : filter, fw = filter == 0 ? shape[2] : filter;
            foreach (var activation in Activations)
            {
                var options = new Pool2DOptions(Padding.Valid, stride, stride, fw, fh, activation);
                var bytes = PoolModel(op, shape, options, out _);
                string name = $"{op} [{string.Join(",", shape)}] {fh}x{fw}/{stride} {activation}";
                VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.05), name);
            }
        }
    }

    [TestCase(BuiltinOperator.MaxPool2D)]
    [TestCase(BuiltinOperator.AveragePool2D)]
    public void SpecialValueWindowsKeepTheReferencesNaNSignedZeroInfinityAndSubnormalResults(BuiltinOperator op)
    {
        // Windows made only of specials: NaN anywhere, ±0 ties (first wins for MAX; +0 start for AVERAGE), ±inf
        // (inf − inf = NaN), all −inf, subnormal sums and overflow to inf.
        var random = new Random(60 + (int)op);
        int[] shape = [1, 9, 8, 67];
        foreach (var padding in new[] { Padding.Same, Padding.Valid })
            foreach (var activation in Activations)
            {
                var options = new Pool2DOptions(padding, 2, 1, 3, 2, activation);
                var bytes = PoolModel(op, shape, options, out _);
                var input = VulkanHarness.Values(random, 9 * 8 * 67, 1.0);
                for (int c = 0; c < 67; c += 5)          // whole channels of one value: -0, +0, -inf, subnormal
                    for (int p = 0; p < 72; p++)
                        input[p * 67 + c] = new[] { -0f, 0f, float.NegativeInfinity, -1e-40f, float.Epsilon, 3e38f }[c / 5 % 6];
                VulkanHarness.AssertBitExact(bytes, [input], $"{op} specials {padding} {activation}");
            }
    }

    [Test]
    public void AveragePoolOfOnlyNegativeZerosIsPositiveZeroAsTheReferenceSumStartsAtPlusZero()
    {
        var bytes = PoolModel(BuiltinOperator.AveragePool2D, [1, 4, 4, 3], new Pool2DOptions(Padding.Same, 1, 1, 3, 3, ActivationFunctionType.None), out _);
        var model = Model.FromBytes(bytes);
        var input = Enumerable.Repeat(-0f, 48).ToArray();
        var actual = VulkanHarness.Run(model, [input], VulkanHarness.CreateDelegate(), out _);
        Assert.That(actual[0].Select(BitConverter.SingleToUInt32Bits), Is.All.EqualTo(0u));
        VulkanHarness.AssertBitExact(bytes, [input], "average of -0");
    }
}
