using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// The byte-moving ops on 8-bit data in one network, with every chunk a few bytes wide so no block starts on a 32-bit
/// word (docs/numerics.md §CONCATENATION, §Quantized execution): uint8 CONCATENATION of an input quantized as the output
/// (copied), one quantized unlike it (TFLite's ConcatenationWithScaling rescale, saturating at both ends) and the first
/// again along channels of 3; int8 RESHAPE → EXPAND_DIMS → SQUEEZE, then int8 CONCATENATION and PACK of the reshaped and
/// squeezed tensors; each 8-bit output read through a DEQUANTIZE. Every node must run on the device delegate with the
/// reference's bits.
/// </summary>
public static class QuantizedDataMovement
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>The network; input x is float32 [1, 4, 6, 3].</summary>
    public static Model Build()
    {
        var mb = new ModelBuilder("8-bit concatenation, reshape, squeeze, expand_dims, pack");
        int x = mb.AddTensor("x", TensorType.Float32, [1, 4, 6, 3]);

        int copied = mb.AddTensor("x_u8", TensorType.UInt8, [1, 4, 6, 3], Q(0.03f, 120));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [copied], version: 2);
        int rescaled = mb.AddTensor("x_u8_other", TensorType.UInt8, [1, 4, 6, 3], Q(0.1f, 128));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [rescaled], version: 2);
        int concatU8 = mb.AddTensor("concat_u8", TensorType.UInt8, [1, 4, 6, 9], Q(0.03f, 120));
        mb.AddOperator(BuiltinOperator.Concatenation, [copied, rescaled, copied], [concatU8],
            new ConcatenationOptions(3, ActivationFunctionType.None), 2);

        int i8 = mb.AddTensor("x_i8", TensorType.Int8, [1, 4, 6, 3], Q(0.05f, -9));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [i8], version: 2);
        int reshaped = mb.AddTensor("reshaped", TensorType.Int8, [24, 3], Q(0.05f, -9));
        mb.AddOperator(BuiltinOperator.Reshape, [i8, mb.AddConstant("shape", [2], [24, 3])], [reshaped]);
        int expanded = mb.AddTensor("expanded", TensorType.Int8, [1, 24, 3], Q(0.05f, -9));
        mb.AddOperator(BuiltinOperator.ExpandDims, [reshaped, mb.AddConstant("axis", [1], [0])], [expanded]);
        int squeezed = mb.AddTensor("squeezed", TensorType.Int8, [24, 3], Q(0.05f, -9));
        mb.AddOperator(BuiltinOperator.Squeeze, [expanded], [squeezed], new SqueezeOptions([0]));
        int concatI8 = mb.AddTensor("concat_i8", TensorType.Int8, [24, 6], Q(0.05f, -9));
        mb.AddOperator(BuiltinOperator.Concatenation, [reshaped, squeezed], [concatI8],
            new ConcatenationOptions(1, ActivationFunctionType.None), 2);
        int packed = mb.AddTensor("packed", TensorType.Int8, [24, 2, 3], Q(0.05f, -9));
        mb.AddOperator(BuiltinOperator.Pack, [reshaped, squeezed], [packed], new PackOptions(2, 1), 2);

        foreach (var (tensor, shape) in new[] { (concatU8, new[] { 1, 4, 6, 9 }), (concatI8, [24, 6]), (packed, [24, 2, 3]) })
        {
            int real = mb.AddTensor($"real{tensor}", TensorType.Float32, shape);
            mb.AddOperator(BuiltinOperator.Dequantize, [tensor], [real], version: 2);
            mb.AddOutput(real);
        }
        mb.AddInput(x);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>
    /// Runs <see cref="Build"/>'s network (inputs spanning and exceeding both uint8 ranges) on the delegate and on the
    /// reference: every node runs on the delegate and every output has the reference's bits.
    /// </summary>
    public static void AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        using var model = Build();
        var inputs = new[] { DelegateHarness.Values(new Random(71), 72) };
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        using var accelDelegate = createDelegate();
        var actual = DelegateHarness.Run(model, inputs, accelDelegate, out var plan);
        const string name = "8-bit CONCATENATION / RESHAPE / EXPAND_DIMS / SQUEEZE / PACK network";
        Assert.That(plan!.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
        Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
        DelegateHarness.AssertSameBits(expected, actual, name, accelDelegate.Name);
        // The rescaled channels saturate at both ends and vary between: the comparison means something.
        var rescaledChannels = expected[0].Where((_, i) => i % 9 is >= 3 and < 6).ToArray();
        Assert.That(rescaledChannels, Has.Some.EqualTo(0.03f * (0 - 120)).And.Some.EqualTo(0.03f * (255 - 120)), name);
        Assert.That(rescaledChannels.Distinct().Count(), Is.GreaterThan(15), name);
    }
}
