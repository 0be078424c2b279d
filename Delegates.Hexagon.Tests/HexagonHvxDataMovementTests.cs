using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// The HVX byte paths on tensors wide enough to use them: MAX_POOL_2D over 200 channels (one 128-byte vector plus a
/// scalar tail, clamped by a fused RELU6), PAD (HVX memset of whole padded rows and memcpy of 200-byte rows) and
/// RESHAPE (a 5,000-byte HVX move), int8 and uint8, bit-identical to the reference and every node on the DSP.
/// </summary>
[NonParallelizable]
public sealed class HexagonHvxDataMovementTests
{
    private const int Depth = 200;

    [SetUp]
    public void RequireDsp() => HexagonTestEnvironment.RequireDsp();

    private static Model Build(TensorType type)
    {
        long zeroPoint = type == TensorType.Int8 ? -5 : 120;
        QuantizationParameters Q() => new([0.02f], [zeroPoint], 0, [], []);
        var b = new ModelBuilder("hvx data movement");
        int x = b.AddTensor("x", TensorType.Float32, [1, 7, 5, Depth]);
        int q = b.AddTensor("x_q", type, [1, 7, 5, Depth], Q());
        int pool = b.AddTensor("pool", type, [1, 4, 3, Depth], Q());
        int paddings = b.AddConstant("paddings", [4, 2], [0, 0, 1, 2, 0, 1, 0, 0]);
        int padded = b.AddTensor("padded", type, [1, 7, 4, Depth], Q());
        int shape = b.AddConstant("shape", [2], [7, 4 * Depth]);
        int flat = b.AddTensor("flat", type, [7, 4 * Depth], Q());
        int y = b.AddTensor("y", TensorType.Float32, [7, 4 * Depth]);
        b.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        b.AddOperator(BuiltinOperator.MaxPool2D, [q], [pool], new Pool2DOptions(Padding.Same, 2, 2, 3, 3, ActivationFunctionType.Relu6), 2);
        b.AddOperator(BuiltinOperator.Pad, [pool, paddings], [padded], version: 2);
        b.AddOperator(BuiltinOperator.Reshape, [padded, shape], [flat], new ReshapeOptions([7, 4 * Depth]));
        b.AddOperator(BuiltinOperator.Dequantize, [flat], [y], version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        return Model.FromBytes(b.Build());
    }

    [TestCase(TensorType.Int8)]
    [TestCase(TensorType.UInt8)]
    public void WideMaxPoolPadAndReshapeAreBitIdenticalToTheReferenceOnTheDsp(TensorType type)
    {
        using var model = Build(type);
        // [−2, 2]: RELU6's lower clamp and the 8-bit range's saturation are both reached.
        float[][] inputs = [DelegateHarness.Values(new Random(160), 7 * 5 * Depth).Select(v => v / 4).ToArray()];
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var actual = DelegateHarness.Run(model, inputs, new HexagonDelegate(minNodesPerPartition: 1), out var plan);
        Assert.That(plan!.Refused, Is.Empty);
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(5));
        DelegateHarness.AssertSameBits(expected, actual, $"{type} max pool / pad / reshape", "hexagon");
    }
}
