using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>CONCATENATION and DEPTH_TO_SPACE on the CPU accelerator: every bit moved as the reference moves it.</summary>
[TestFixture]
public sealed class IlgpuDataMovementTests
{
    private static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    [Test]
    public void RandomConcatenationsOfAnyRankAxisAndActivationMatchTheReferenceBitForBit()
    {
        var random = new Random(71);
        for (int i = 0; i < 40; i++)
        {
            int rank = random.Next(1, 5);
            int axis = random.Next(rank);
            int inputCount = random.Next(1, 5);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 7)).ToArray();
            var mb = new ModelBuilder();
            var inputs = new int[inputCount];
            var graphInputs = new List<int>();
            int axisTotal = 0;
            for (int k = 0; k < inputCount; k++)
            {
                var inputShape = (int[])shape.Clone();
                inputShape[axis] = random.Next(1, 6);
                axisTotal += inputShape[axis];
                if (random.Next(4) == 0)
                    inputs[k] = mb.AddConstant($"c{k}", inputShape, IlgpuHarness.Values(random, inputShape.Aggregate(1, (a, b) => a * b), 0.3));
                else
                {
                    inputs[k] = mb.Tensor($"x{k}", inputShape);
                    graphInputs.Add(inputs[k]);
                }
            }
            if (graphInputs.Count == 0)
            {
                // Every input constant would fold the node away; keep the last one a graph input.
                var lastShape = (int[])shape.Clone();
                lastShape[axis] = 2;
                axisTotal += 2;
                inputs = [.. inputs, mb.Tensor("last", lastShape)];
                graphInputs.Add(inputs[^1]);
            }
            var outShape = (int[])shape.Clone();
            outShape[axis] = axisTotal;
            int y = mb.Tensor("y", outShape);
            var activation = Activations[random.Next(Activations.Length)];
            int axisOption = random.Next(2) == 0 ? axis : axis - rank; // negative axes count from the end
            mb.AddOperator(BuiltinOperator.Concatenation, inputs, [y], new ConcatenationOptions(axisOption, activation));
            foreach (int input in graphInputs) mb.AddInput(input);
            mb.AddOutput(y);
            var bytes = mb.Build();
            string name = $"concat #{i} {inputs.Length} inputs rank {rank} axis {axisOption} → [{string.Join(",", outShape)}] {activation}";
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.3), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void ConcatenationWithoutActivationKeepsEveryNaNPayload()
    {
        // NONE is a pure copy: payloads and signs of NaN survive exactly (compared bit for bit, not NaN-as-NaN).
        var mb = new ModelBuilder();
        int a = mb.Tensor("a", 2, 3);
        int b = mb.Tensor("b", 2, 2);
        int y = mb.Tensor("y", 2, 5);
        mb.AddOperator(BuiltinOperator.Concatenation, [a, b], [y], new ConcatenationOptions(1, ActivationFunctionType.None));
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        float nan1 = BitConverter.UInt32BitsToSingle(0x7FC00123), nan2 = BitConverter.UInt32BitsToSingle(0xFFC0BEEF);
        float[] first = [nan1, -0f, 1e-40f, nan2, float.NegativeInfinity, 2f];
        float[] second = [nan2, -1e-45f, nan1, 0f];
        var outputs = IlgpuHarness.Run(Model.FromBytes(mb.Build()), [first, second], new IlgpuDelegate(IlgpuAcceleratorKind.Cpu), out var plan);
        Assert.That(plan!.DelegatedNodeCount, Is.EqualTo(1));
        float[] expected = [nan1, -0f, 1e-40f, nan2, -1e-45f, nan2, float.NegativeInfinity, 2f, nan1, 0f];
        Assert.That(outputs[0].Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(expected.Select(BitConverter.SingleToUInt32Bits)));
    }

    [Test]
    public void RandomDepthToSpaceMatchesTheReferenceBitForBit()
    {
        var random = new Random(72);
        for (int i = 0; i < 25; i++)
        {
            int bs = random.Next(1, 4), batch = random.Next(1, 3), h = random.Next(1, 7), w = random.Next(1, 7);
            int outputDepth = random.Next(1, 6);
            var mb = new ModelBuilder();
            int x = mb.Tensor("x", batch, h, w, outputDepth * bs * bs);
            int y = mb.Tensor("y", batch, h * bs, w * bs, outputDepth);
            mb.AddOperator(BuiltinOperator.DepthToSpace, [x], [y], new DepthToSpaceOptions(bs));
            mb.AddInput(x);
            mb.AddOutput(y);
            var bytes = mb.Build();
            string name = $"depth_to_space #{i} [{batch},{h},{w},{outputDepth * bs * bs}] bs {bs}";
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.3), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }
}
