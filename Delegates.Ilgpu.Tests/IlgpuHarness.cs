using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>Runs a model on the reference interpreter and with the ILGPU delegate (CPU accelerator) and compares bits.</summary>
internal static class IlgpuHarness
{
    public static float[][] RandomInputs(Model model, Random random, double specialFraction)
    {
        using var probe = new Interpreter(model);
        probe.AllocateTensors();
        var result = new float[probe.InputCount][];
        for (int i = 0; i < result.Length; i++)
            result[i] = Values(random, (int)probe.GetInputTensor(i).ElementCount, specialFraction);
        return result;
    }

    private static readonly float[] Specials =
    [
        0f, -0f, float.NaN, BitConverter.Int32BitsToSingle(0x7FC00123), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00000)), float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
        1e-40f, -1e-40f, 3e38f, -3e38f, 6f, -1f, 1f, BitConverter.Int32BitsToSingle(0x40C00001), BitConverter.Int32BitsToSingle(0x40BFFFFF),
    ];

    public static float[] Values(Random random, int count, double specialFraction = 0)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = random.NextDouble() < specialFraction
                ? Specials[random.Next(Specials.Length)]
                : (float)(random.NextDouble() * 16 - 8);
        return values;
    }

    /// <summary>
    /// Floats from random bit patterns (every exponent, subnormals, infinities, NaNs with any payload) mixed with
    /// ordinary values in [−8, 8) and the special values: for functions whose range reduction depends on the exponent.
    /// </summary>
    public static float[] AnyBits(Random random, int count)
    {
        var values = Values(random, count, 0.2);
        for (int i = 0; i < count; i++)
            if (random.Next(2) == 0) values[i] = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
        return values;
    }

    /// <summary>Runs both and asserts every output is bit-identical (NaN compared as NaN); returns the delegated interpreter's plan.</summary>
    public static ExecutionPlan AssertBitExact(byte[] modelBytes, float[][] inputs, string name)
    {
        var model = Model.FromBytes(modelBytes);
        var expected = Run(model, inputs, null, out _);
        var actual = Run(model, inputs, new IlgpuDelegate(IlgpuAcceleratorKind.Cpu), out var plan);
        for (int o = 0; o < expected.Length; o++)
        {
            Assert.That(actual[o].Length, Is.EqualTo(expected[o].Length), $"{name}: output {o} length");
            for (int i = 0; i < expected[o].Length; i++)
            {
                uint e = BitConverter.SingleToUInt32Bits(expected[o][i]);
                uint a = BitConverter.SingleToUInt32Bits(actual[o][i]);
                // docs/numerics.md §NaN: where the result is NaN any NaN conforms (sign and payload unspecified; the JIT
                // may swap the operands of a commutative add, and x86 keeps the first NaN operand's payload).
                if (e != a && !(float.IsNaN(expected[o][i]) && float.IsNaN(actual[o][i])))
                    Assert.Fail($"{name}: output {o} differs first at index {i}: reference {expected[o][i]:R} (0x{e:X8}), " +
                                $"ilgpu {actual[o][i]:R} (0x{a:X8})");
            }
        }
        return plan!;
    }

    public static float[][] Run(Model model, float[][] inputs, IlgpuDelegate? ilgpu, out ExecutionPlan? plan)
    {
        var options = new InterpreterOptions();
        var diagnostics = new List<string>();
        options.DiagnosticSink = diagnostics.Add;
        if (ilgpu is not null) options.Delegates.Add(new DelegateSelection(ilgpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        plan = interpreter.Plan;
        if (ilgpu is not null && plan.DelegatedNodeCount == 0)
            Assert.Fail("nothing delegated: " + string.Join(" | ", diagnostics) + " | refused: " +
                        string.Join("; ", plan.Refused.Select(r => r.Reason)));
        float[][] outputs = [];
        // Twice: the second invoke proves state (uploads, device-resident tensors) is reused correctly.
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFrom<float>(inputs[i]);
            interpreter.Invoke();
            outputs = new float[interpreter.OutputCount][];
            for (int o = 0; o < outputs.Length; o++) outputs[o] = interpreter.GetOutputTensor(o).Read<float>().ToArray();
        }
        return outputs;
    }

    public static int Tensor(this ModelBuilder mb, string name, params int[] shape) => mb.AddTensor(name, TensorType.Float32, shape);
}
