using Accel.Building;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// int8/uint8 SOFTMAX on the DSP against the reference on adversarial quantizations: huge output scales (3e38: the
/// reciprocal of sum · scale is subnormal or 0), a subnormal one (the reciprocal overflows to +inf), an infinite sum (a
/// negative beta makes the exp table overflow: inf · 0 = NaN), beside ordinary ones; rows of equal values, of one
/// element and of 40. Every output byte identical.
/// </summary>
public sealed class HexagonSoftmaxTests
{
    private static Model Build(TensorType type, float inputScale, int inputZeroPoint, float outputScale, float beta, int rows, int depth)
    {
        int outputZeroPoint = type == TensorType.Int8 ? -128 : 0;
        var mb = new ModelBuilder("softmax");
        int x = mb.AddTensor("x", type, [rows, depth], new QuantizationParameters([inputScale], [inputZeroPoint], 0, [], []));
        int y = mb.AddTensor("y", type, [rows, depth], new QuantizationParameters([outputScale], [outputZeroPoint], 0, [], []));
        mb.AddOperator(BuiltinOperator.Softmax, [x], [y], new SoftmaxOptions(beta), 2);
        mb.AddInput(x);
        mb.AddOutput(y);
        return Model.FromBytes(mb.Build());
    }

    private static byte[] Run(Model model, byte[] input, HexagonDelegate? hexagon)
    {
        var options = new InterpreterOptions();
        if (hexagon is not null) options.Delegates.Add(new DelegateSelection(hexagon));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        if (hexagon is not null) Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1), "SOFTMAX runs on the DSP");
        input.CopyTo(interpreter.GetInputTensor(0).WritableBytes);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    [TestCase(TensorType.UInt8, 0.5f, 3e38f, 1f, 7, 1, TestName = "Uint8SoftmaxWithAHugeOutputScaleIsBitIdentical")]
    [TestCase(TensorType.UInt8, 0.5f, 1e-45f, 1f, 3, 40, TestName = "Uint8SoftmaxWhoseReciprocalOverflowsIsBitIdentical")]
    [TestCase(TensorType.UInt8, 4f, 0.004f, -1f, 3, 40, TestName = "Uint8SoftmaxWithAnInfiniteSumIsBitIdentical")]
    [TestCase(TensorType.UInt8, 0.02f, 0.0037f, 2.5f, 5, 17, TestName = "Uint8SoftmaxWithAnOrdinaryScaleIsBitIdentical")]
    [TestCase(TensorType.UInt8, 0.001f, 1e-30f, 1f, 3, 40, TestName = "Uint8SoftmaxWithAHugeReciprocalSaturates")]
    [TestCase(TensorType.Int8, 0.1f, 1f / 256, 1f, 5, 17, TestName = "Int8SoftmaxIsBitIdentical")]
    [TestCase(TensorType.Int8, 4f, 1f / 256, -0.5f, 3, 40, TestName = "Int8SoftmaxWithAnInfiniteSumIsBitIdentical")]
    [TestCase(TensorType.Int8, 0.003f, 0.003903f, 1f, 7, 1, TestName = "Int8SoftmaxOfOneElementRowsIsBitIdentical")]
    public void SoftmaxOnTheDspIsBitIdenticalToTheReference(TensorType type, float inputScale, float outputScale, float beta, int rows, int depth)
    {
        HexagonTestEnvironment.RequireDsp();
        var random = new Random(rows * 1000 + depth);
        byte[] input = new byte[rows * depth];
        random.NextBytes(input);
        // One row of equal values, one with the extremes.
        if (rows > 2)
        {
            input.AsSpan(0, depth).Fill(type == TensorType.Int8 ? (byte)0x80 : (byte)0);
            for (int j = 0; j < depth; j++) input[depth + j] = (byte)(j % 2 == 0 ? 0x7F : 0x80);
        }
        using var model = Build(type, inputScale, type == TensorType.Int8 ? 5 : 130, outputScale, beta, rows, depth);
        byte[] expected = Run(model, input, null);
        byte[] actual = Run(model, input, new HexagonDelegate(minNodesPerPartition: 1));
        Assert.That(actual, Is.EqualTo(expected));
    }
}
