using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

public sealed class FullyConnectedKernelTests
{
    public sealed record Case(string Name, int[] InputShape, int Units, int Depth, bool KeepNumDims,
        ActivationFunctionType Activation, bool HasBias, int[] ExpectedShape, float InputScale = 1f)
    {
        public override string ToString() => Name;
    }

    private static readonly Case[] Cases =
    [
        new("rank2 bias", [3, 8], 5, 8, false, ActivationFunctionType.None, true, [3, 5]),
        new("rank3 flattened", [2, 3, 4], 6, 4, false, ActivationFunctionType.Relu, true, [6, 6]),
        new("rank3 keep_num_dims", [2, 3, 4], 6, 4, true, ActivationFunctionType.Relu6, false, [2, 3, 6], 6f),
        new("rows span dimensions", [2, 12], 3, 4, false, ActivationFunctionType.ReluN1To1, true, [6, 3], 2f),
        new("rank4 to single row", [1, 2, 2, 3], 7, 12, false, ActivationFunctionType.None, false, [1, 7]),
        new("rank1 input", [16], 2, 16, false, ActivationFunctionType.None, true, [1, 2]),
    ];

    [TestCaseSource(nameof(Cases))]
    public void MatchesDoubleReferenceAndCanonicalFmaOrderBitForBit(Case c)
    {
        using var harness = new KernelTestHarness();
        float[] input = KernelTestData.Random(Conv2DKernelTests.Product(c.InputShape), 21, c.InputScale);
        float[] weights = KernelTestData.Random(c.Units * c.Depth, 22);
        float[]? bias = c.HasBias ? KernelTestData.Random(c.Units, 23) : null;
        int inputIndex = harness.Input("input", c.InputShape, input);
        int weightsIndex = harness.Constant("weights", [c.Units, c.Depth], weights);
        int[] inputs = bias is null
            ? [inputIndex, weightsIndex, -1]
            : [inputIndex, weightsIndex, harness.Constant("bias", [c.Units], bias)];
        float[] actual = harness.RunFloat(new FullyConnectedKernel(), "FULLY_CONNECTED",
            new FullyConnectedOptions(c.Activation, KeepNumDims: c.KeepNumDims), inputs);

        Assert.That(harness.LastOutput!.Shape.ToArray(), Is.EqualTo(c.ExpectedShape));
        int batch = input.Length / c.Depth;
        var expected = new double[batch * c.Units];
        var canonical = new float[batch * c.Units];
        for (int b = 0; b < batch; b++)
        for (int u = 0; u < c.Units; u++)
        {
            double sum = bias?[u] ?? 0;
            float acc = 0f;
            for (int k = 0; k < c.Depth; k++)
            {
                sum += (double)input[b * c.Depth + k] * weights[u * c.Depth + k];
                acc = MathF.FusedMultiplyAdd(input[b * c.Depth + k], weights[u * c.Depth + k], acc);
            }
            expected[b * c.Units + u] = KernelTestData.Activate(sum, c.Activation);
            canonical[b * c.Units + u] = (float)KernelTestData.Activate(bias is null ? acc : acc + bias[u], c.Activation);
        }
        KernelTestData.AssertClose(actual, expected);
        KernelTestData.AssertBitEqual(actual, canonical);
    }

    [Test]
    public void SmallHandComputedExample()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 3], 1, 2, 3);
        int weights = harness.Constant("weights", [2, 3], 1, 0, -1, 2, 2, 2);
        int bias = harness.Constant("bias", [2], 10, 20);
        float[] actual = harness.RunFloat(new FullyConnectedKernel(), "FULLY_CONNECTED",
            new FullyConnectedOptions(ActivationFunctionType.None), [input, weights, bias]);
        Assert.That(actual, Is.EqualTo(new[] { 8f, 32f }));
    }

    [Test]
    public void RejectsShuffledWeightsFormat()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 4], 1, 2, 3, 4);
        int weights = harness.Constant("weights", [1, 4], 1, 2, 3, 4);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new FullyConnectedKernel(), "FULLY_CONNECTED",
            new FullyConnectedOptions(ActivationFunctionType.None, WeightsFormat: 1), [input, weights]));
        Assert.That(error!.Message, Does.Contain("weights_format 1"));
    }

    [Test]
    public void RejectsInputThatDoesNotFlattenToRowsOfTheWeightsDepth()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 5], 1, 2, 3, 4, 5);
        int weights = harness.Constant("weights", [1, 4], 1, 2, 3, 4);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new FullyConnectedKernel(), "FULLY_CONNECTED",
            new FullyConnectedOptions(ActivationFunctionType.None), [input, weights]));
        Assert.That(error!.Message, Does.Contain("depth 4"));
    }

    [Test]
    public void KeepNumDimsRequiresLastInputDimensionToEqualDepth()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [2, 4], 1, 2, 3, 4, 5, 6, 7, 8);
        int weights = harness.Constant("weights", [1, 8], 1, 2, 3, 4, 5, 6, 7, 8);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new FullyConnectedKernel(), "FULLY_CONNECTED",
            new FullyConnectedOptions(ActivationFunctionType.None, KeepNumDims: true), [input, weights]));
        Assert.That(error!.Message, Does.Contain("keep_num_dims"));
    }

    [Test]
    public void RejectsFloat16WeightsNamingTheDtype()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1], 1);
        int weights = harness.Constant<ushort>("w16", TensorType.Float16, [1, 1], new ushort[] { 0x3C00 });
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new FullyConnectedKernel(), "FULLY_CONNECTED",
            new FullyConnectedOptions(ActivationFunctionType.None), [input, weights]));
        Assert.That(error!.Message, Does.Contain("float16"));
    }
}
