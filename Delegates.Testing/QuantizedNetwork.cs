using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// A small int8 network (QUANTIZE → CONV_2D → MAX_POOL_2D → LOGISTIC → DEQUANTIZE → float RELU) for the delegate test
/// projects: until a delegate has integer kernels it must refuse every integer node with a reason naming the dtype,
/// so the reference runs them and the outputs are the reference's bits (docs/numerics.md §Quantized execution).
/// </summary>
public static class QuantizedNetwork
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>The network's model.</summary>
    public static Model Build()
    {
        var mb = new ModelBuilder("int8 network");
        int x = mb.AddTensor("x", TensorType.Float32, [1, 6, 6, 3]);
        int q = mb.AddTensor("x_q", TensorType.Int8, [1, 6, 6, 3], Q(0.05f, -3));
        var random = new Random(13);
        byte[] filter = new byte[4 * 3 * 3 * 3];
        random.NextBytes(filter);
        var filterScales = new[] { 0.01f, 0.02f, 0.005f, 0.04f };
        int w = mb.AddConstant("w", TensorType.Int8, [4, 3, 3, 3], filter, new QuantizationParameters(filterScales, new long[4], 0, [], []));
        int[] biasValues = [100, -200, 300, -400];
        int b = mb.AddConstant("b", TensorType.Int32, [4], System.Runtime.InteropServices.MemoryMarshal.AsBytes(biasValues.AsSpan()),
            new QuantizationParameters(filterScales.Select(s => 0.05f * s).ToArray(), new long[4], 0, [], []));
        int conv = mb.AddTensor("conv", TensorType.Int8, [1, 6, 6, 4], Q(0.1f, 4));
        int pool = mb.AddTensor("pool", TensorType.Int8, [1, 3, 3, 4], Q(0.1f, 4));
        int sigmoid = mb.AddTensor("sigmoid", TensorType.Int8, [1, 3, 3, 4], Q(1f / 256, -128));
        int real = mb.AddTensor("real", TensorType.Float32, [1, 3, 3, 4]);
        int y = mb.AddTensor("y", TensorType.Float32, [1, 3, 3, 4]);
        mb.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        mb.AddOperator(BuiltinOperator.Conv2D, [q, w, b], [conv], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu), 3);
        mb.AddOperator(BuiltinOperator.MaxPool2D, [conv], [pool], new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None), 2);
        mb.AddOperator(BuiltinOperator.Logistic, [pool], [sigmoid], version: 2);
        mb.AddOperator(BuiltinOperator.Dequantize, [sigmoid], [real], version: 2);
        mb.AddOperator(BuiltinOperator.Relu, [real], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>
    /// Runs the network with <paramref name="accelDelegate"/>: every integer node (CONV_2D, MAX_POOL_2D, LOGISTIC on
    /// int8) is refused with a reason naming int8, and the output has the reference's bits.
    /// </summary>
    public static void AssertIntegerNodesAreRefusedWithAReasonAndTheOutputIsTheReferences(IAccelDelegate accelDelegate)
    {
        var model = Build();
        var inputs = new[] { DelegateHarness.Values(new Random(5), 6 * 6 * 3).Select(v => v / 8).ToArray() };
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var actual = DelegateHarness.Run(model, inputs, accelDelegate, out var plan);
        DelegateHarness.AssertSameBits(expected, actual, "int8 network", accelDelegate.Name);
        foreach (string op in new[] { "CONV_2D", "MAX_POOL_2D", "LOGISTIC" })
        {
            var refused = plan!.Refused.Where(r => r.Operator == op).ToArray();
            Assert.That(refused, Is.Not.Empty, $"{op} on int8 must be refused by {accelDelegate.Name}");
            Assert.That(refused.All(r => r.Reason.Contains("int8")), $"{op}: {string.Join("; ", refused.Select(r => r.Reason))}");
        }
        Assert.That(plan!.Partitions.Where(p => p.IsDelegated).SelectMany(p => p.Nodes), Is.EquivalentTo(new[] { 5 }),
            "only the float RELU runs on the delegate");
    }
}
