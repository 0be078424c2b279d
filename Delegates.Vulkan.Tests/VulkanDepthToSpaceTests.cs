using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>DEPTH_TO_SPACE: block sizes 1–4, random shapes and channel tails, every bit (NaN payloads included) moved.</summary>
[TestFixture]
public sealed class VulkanDepthToSpaceTests
{
    private static byte[] DepthToSpaceModel(int[] shape, int blockSize, TensorType type = TensorType.Float32)
    {
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", type, shape);
        int y = mb.AddTensor("y", type, [shape[0], shape[1] * blockSize, shape[2] * blockSize, shape[3] / (blockSize * blockSize)]);
        mb.AddOperator(BuiltinOperator.DepthToSpace, [x], [y], new DepthToSpaceOptions(blockSize));
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    [Test]
    public void RandomShapesAndBlockSizesMatchTheReferenceBitForBit()
    {
        var random = new Random(90);
        for (int t = 0; t < 24; t++)
        {
            int bs = t % 4 + 1;
            int outputDepth = new[] { 1, 2, 3, 7, 16, 63, 64, 65 }[random.Next(8)];
            int[] shape = [random.Next(1, 3), random.Next(1, 9), random.Next(1, 9), outputDepth * bs * bs];
            var bytes = DepthToSpaceModel(shape, bs);
            string name = $"DEPTH_TO_SPACE [{string.Join(",", shape)}] bs={bs}";
            var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.3), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void EveryWordIsMovedUnchangedIncludingNaNPayloads()
    {
        // Input words are their own index with NaN/subnormal/−0 patterns mixed in; the output must be a permutation of exactly those words.
        int[] shape = [1, 3, 5, 12];
        var words = Enumerable.Range(0, 180).Select(i => (uint)(i % 3 switch { 0 => 0x7F800001 + i, 1 => 0x80000000 + i, _ => 0xFFC00000 + i })).ToArray();
        var input = words.Select(BitConverter.UInt32BitsToSingle).ToArray();
        var bytes = DepthToSpaceModel(shape, 2);
        var actual = VulkanHarness.Run(Model.FromBytes(bytes), [input], VulkanHarness.CreateDelegate(), out _);
        var reference = VulkanHarness.Run(Model.FromBytes(bytes), [input], null, out _);
        Assert.That(actual[0].Select(BitConverter.SingleToUInt32Bits), Is.EqualTo(reference[0].Select(BitConverter.SingleToUInt32Bits)));
        Assert.That(actual[0].Select(BitConverter.SingleToUInt32Bits).Order(), Is.EqualTo(words.Order()));
    }

    [Test]
    public void NonFloat32InputIsRefusedWithTheReasonAndRunsOnTheReference()
    {
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(VulkanHarness.CreateDelegate()));
        using var interpreter = new Interpreter(Model.FromBytes(DepthToSpaceModel([1, 2, 2, 8], 2, TensorType.Int32)), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single(r => r.Delegate == "vulkan").Reason, Does.Contain("only float32 is supported"));
    }
}
