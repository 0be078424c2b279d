using Accel.Building;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// QUANTIZE float32 → int8/uint8 on the DSP, whose binary32 division is computed in integers (Hexagon has no divide
/// instruction): bit-identical to the reference on adversarial inputs — every class of float (NaN, ±inf, ±0,
/// subnormals, huge), quotients at and next to the .5 ties, random bit patterns — for normal, subnormal and extreme scales.
/// </summary>
public sealed class HexagonQuantizeTests
{
    private static float[] AdversarialInputs(float scale)
    {
        var values = new List<float>
        {
            float.NaN, -float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, -float.Epsilon,
            float.MaxValue, float.MinValue, 1e-38f, -1e-38f, 1f, -1f, 0.5f, -0.5f,
        };
        for (int k = -300; k <= 300; k++)
        {
            float tie = (k + 0.5f) * scale; // the product rounds, so the quotient lands on or next to the tie
            values.Add(tie);
            values.Add(MathF.BitIncrement(tie));
            values.Add(MathF.BitDecrement(tie));
            values.Add(k * scale);
        }
        var random = new Random(18);
        for (int i = 0; i < 6000; i++) values.Add(BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue)));
        for (int i = 0; i < 3000; i++) values.Add((float)((random.NextDouble() - 0.5) * 600 * scale));
        return values.ToArray();
    }

    private static Model Build(float scale, int zeroPoint, TensorType type, int count)
    {
        var mb = new ModelBuilder("quantize");
        int x = mb.AddTensor("x", TensorType.Float32, [count]);
        int q = mb.AddTensor("q", type, [count], new QuantizationParameters([scale], [zeroPoint], 0, [], []));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        mb.AddInput(x);
        mb.AddOutput(q);
        return Model.FromBytes(mb.Build());
    }

    private static byte[] Run(Model model, float[] input, IAccelDelegate? accelDelegate)
    {
        var options = new InterpreterOptions();
        if (accelDelegate is not null) options.Delegates.Add(new DelegateSelection(accelDelegate));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        if (accelDelegate is not null) Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1), "QUANTIZE runs on the DSP");
        interpreter.GetInputTensor(0).CopyFrom<float>(input);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    [TestCase(0.05f, -3, TensorType.Int8)]
    [TestCase(0.4999999f, 0, TensorType.Int8)]
    [TestCase(3f, 127, TensorType.Int8)]
    [TestCase(1e-40f, 5, TensorType.Int8)]      // a subnormal scale
    [TestCase(1e30f, -128, TensorType.Int8)]
    [TestCase(0.0078125f, 128, TensorType.UInt8)]
    [TestCase(0.1f, 0, TensorType.UInt8)]
    [TestCase(7e-3f, 255, TensorType.UInt8)]
    public void FloatQuantizeOnTheDspIsBitIdenticalToTheReferenceOnAdversarialInputs(float scale, int zeroPoint, TensorType type)
    {
        HexagonTestEnvironment.RequireDsp();
        float[] input = AdversarialInputs(scale);
        using var model = Build(scale, zeroPoint, type, input.Length);
        byte[] expected = Run(model, input, null);
        byte[] actual = Run(model, input, new HexagonDelegate(minNodesPerPartition: 1));
        for (int i = 0; i < input.Length; i++)
            if (expected[i] != actual[i])
                Assert.Fail($"x = {input[i]:R} (0x{BitConverter.SingleToInt32Bits(input[i]):X8}) / {scale:R}: DSP {actual[i]}, reference {expected[i]}");
    }
}
