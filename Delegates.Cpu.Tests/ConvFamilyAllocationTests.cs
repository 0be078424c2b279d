using System.Buffers.Binary;
using Accel.Building;
using static Accel.Delegates.Cpu.Tests.ConvDelegateHarness;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>The convolution-family kernels allocate nothing per invoke (weights are packed at compile time).</summary>
public sealed class ConvFamilyAllocationTests
{
    internal static byte[] Model()
    {
        // input → CONV_2D 3×3 → DEPTHWISE 3×3 → CONV_2D 1×1 → transpose-conv-bias → FULLY_CONNECTED.
        var random = new Random(61);
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 20, 20, 3]);
        int c1 = b.AddTensor("c1", TensorType.Float32, [1, 10, 10, 12]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, b.AddConstant("w1", [12, 3, 3, 3], Random(random, 324)), b.AddConstant("b1", [12], Random(random, 12))],
            [c1], new Conv2DOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu6));
        int d1 = b.AddTensor("d1", TensorType.Float32, [1, 10, 10, 12]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [c1, b.AddConstant("w2", [1, 3, 3, 12], Random(random, 108)), -1],
            [d1], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.Relu));
        int p1 = b.AddTensor("p1", TensorType.Float32, [1, 10, 10, 20]);
        b.AddOperator(BuiltinOperator.Conv2D, [d1, b.AddConstant("w3", [20, 1, 1, 12], Random(random, 240)), -1],
            [p1], new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
        int t1 = b.AddTensor("t1", TensorType.Float32, [1, 20, 20, 5]);
        var options = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(options, 1);
        BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(4), 2);
        BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(8), 2);
        b.AddCustomOperator("Convolution2DTransposeBias",
            [p1, b.AddConstant("w4", [5, 2, 2, 20], Random(random, 400)), b.AddConstant("b4", [5], Random(random, 5))], [t1], options);
        int y = b.AddTensor("output", TensorType.Float32, [1, 7]);
        b.AddOperator(BuiltinOperator.FullyConnected, [t1, b.AddConstant("w5", [7, 2000], Random(random, 14000)), -1],
            [y], new FullyConnectedOptions(ActivationFunctionType.None), version: 9);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    [TestCase(1)]
    [TestCase(2)]
    public void InvokeAllocatesNothingAfterTheFirstRun(int threads)
    {
        byte[] bytes = Model();
        float[] input = Random(new Random(62), 1200);
        using var model = Accel.Model.FromBytes(bytes);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(5));
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        AssertBitEqual(interpreter.Output<float>(0).ToArray(), RunReference(bytes, input), "chain of five delegated nodes");
    }
}
