using Accel.Building;
using static Accel.Delegates.Cpu.Tests.ConvDelegateHarness;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>FULLY_CONNECTED on the CPU delegate: bit-exact with the reference kernel on every shape, option and value.</summary>
public sealed class FullyConnectedDelegateTests
{
    private static void CheckCase(Random random, int[] inputShape, int units, FullyConnectedOptions options, bool withBias,
        double specials, string label, bool payloadNaNs = false)
    {
        int depth = options.KeepNumDims ? inputShape[^1] : inputShape[^1];
        int elements = inputShape.Aggregate(1, (a, d) => a * d);
        int batch = elements / depth;
        float[] weightSpecials = payloadNaNs ? SpecialNumbers : SpecialValues;
        float[] inputSpecials = payloadNaNs ? [.. SpecialNumbers, .. PayloadNaNs, .. PayloadNaNs] : SpecialValues;
        float[] weights = WithSpecials(random, Random(random, units * depth), specials / 4, weightSpecials);
        float[]? bias = withBias ? WithSpecials(random, Random(random, units), specials / 4, weightSpecials) : null;
        float[] input = WithSpecials(random, Random(random, elements, 4f), specials, inputSpecials);
        int[] outputShape = options.KeepNumDims ? [.. inputShape[..^1], units] : [batch, units];
        byte[] model = SingleOp(BuiltinOperator.FullyConnected, inputShape, ([units, depth], weights),
            bias is null ? null : ([units], bias), outputShape, options, version: 9);
        AssertMatchesReference(model, input,
            $"{label}: input [{string.Join(",", inputShape)}], weights [{units},{depth}], {options}, bias {withBias}");
    }

    [Test]
    public void UnitTailsOfEveryVectorWidthMatchTheReferenceBitForBit()
    {
        var random = new Random(41);
        foreach (int units in TailChannels)
            CheckCase(random, [1, 1 + units % 37], units, new FullyConnectedOptions(Activations[units % 4]), units % 2 == 0, 0, $"units {units}");
    }

    [Test]
    public void BatchesKeepNumDimsAndActivationsMatchTheReferenceBitForBit()
    {
        var random = new Random(42);
        for (int i = 0; i < 40; i++)
        {
            int depth = random.Next(1, 80);
            int[] shape = random.Next(3) switch
            {
                0 => [random.Next(1, 12), depth],
                1 => [random.Next(1, 4), random.Next(1, 5), depth],
                _ => [depth],
            };
            var options = new FullyConnectedOptions(Activations[random.Next(4)], KeepNumDims: random.Next(2) == 0);
            CheckCase(random, shape, TailChannels[random.Next(TailChannels.Length)], options, random.Next(2) == 0, 0, $"case {i}");
        }
    }

    [Test]
    public void CorpusLikeHeadsMatchTheReferenceBitForBit()
    {
        // hand_landmark heads: [1,1152]·[63,1152]ᵀ and [1,1152]·[1,1152]ᵀ.
        var random = new Random(43);
        CheckCase(random, [1, 1152], 63, new FullyConnectedOptions(ActivationFunctionType.None), true, 0, "63 units");
        CheckCase(random, [1, 672], 1, new FullyConnectedOptions(ActivationFunctionType.None), true, 0, "1 unit");
        CheckCase(random, [37, 300], 130, new FullyConnectedOptions(ActivationFunctionType.Relu), true, 0, "batch 37");
    }

    [Test]
    public void SpecialValuesAndNaNPayloadsPropagateExactlyAsInTheReference()
    {
        var random = new Random(44);
        for (int i = 0; i < 16; i++)
            CheckCase(random, [1 + i % 5, 3 + i * 2], TailChannels[(i * 5) % TailChannels.Length],
                new FullyConnectedOptions(Activations[i % 4]), i % 3 != 0, 0.2, $"specials {i}", payloadNaNs: i % 2 == 1);
    }

    [Test]
    public void WeightsThatAreNotConstantAreRefusedAndRunOnTheReference()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [2, 4]);
        int w = b.AddTensor("weights", TensorType.Float32, [3, 4]);
        int y = b.AddTensor("output", TensorType.Float32, [2, 3]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, -1], [y], new FullyConnectedOptions(ActivationFunctionType.None), version: 9);
        b.AddInput(x);
        b.AddInput(w);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single().Reason, Does.Contain("weights 'weights' is not a constant"));
        interpreter.SetInput<float>(0, [1, 2, 3, 4, 5, 6, 7, 8]);
        interpreter.GetInputTensor(1).CopyFrom<float>([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new float[] { 1, 2, 4, 5, 6, 8 }));
    }
}
