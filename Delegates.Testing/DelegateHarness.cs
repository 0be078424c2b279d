using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// Runs a model on the reference interpreter and with a delegate, and compares bits: for the delegate test projects'
/// backend-specific tests (per-op bit-exactness is the op suite's, <see cref="OpSuite.OpSuiteTests"/>).
/// </summary>
public static class DelegateHarness
{
    /// <summary>NaNs (several payloads, both signs), ±0, ±inf, subnormals, huge values, clamp edges and exp thresholds.</summary>
    public static readonly IReadOnlyList<float> Specials =
    [
        0f, -0f, float.NaN, BitConverter.Int32BitsToSingle(0x7FC00123), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00000)),
        float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f,
        BitConverter.Int32BitsToSingle(0x007FFFFF), BitConverter.Int32BitsToSingle(0x00800000), 3e38f, -3e38f, 6f, -1f, 1f, -3f, 3f,
        BitConverter.Int32BitsToSingle(0x40C00001), BitConverter.Int32BitsToSingle(0x40BFFFFF), -87.5f, -95f, -103.9f, 88.7f, 17f,
    ];

    /// <summary>
    /// <see cref="Specials"/> plus what binary ops need on both sides: ±MaxValue, negative subnormals and the negative
    /// smallest normal, values whose square overflows (±1e20) or underflows into the subnormals or to zero (1e-20,
    /// 3e-23), neighbours (1, 1 + ulp) and a negative NaN with a payload. Every ordered pair of these is a test case.
    /// </summary>
    public static readonly IReadOnlyList<float> BinarySpecials =
    [
        .. Specials,
        float.MaxValue, -float.MaxValue, BitConverter.Int32BitsToSingle(unchecked((int)0x807FFFFF)),
        BitConverter.Int32BitsToSingle(unchecked((int)0x80800000)), 1e20f, -1e20f, 1e-20f, 3e-23f, -3e-23f,
        BitConverter.Int32BitsToSingle(0x3F800001), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00456)),
    ];

    /// <summary>Uniform in [−8, 8), each value replaced by one of <see cref="Specials"/> with probability <paramref name="specialFraction"/>.</summary>
    public static float[] Values(Random random, int count, double specialFraction = 0)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = random.NextDouble() < specialFraction
                ? Specials[random.Next(Specials.Count)]
                : (float)(random.NextDouble() * 16 - 8);
        return values;
    }

    /// <summary><see cref="Values"/> for every input of <paramref name="model"/>.</summary>
    public static float[][] RandomInputs(Model model, Random random, double specialFraction)
    {
        using var probe = new Interpreter(model);
        probe.AllocateTensors();
        var result = new float[probe.InputCount][];
        for (int i = 0; i < result.Length; i++)
            result[i] = Values(random, (int)probe.GetInputTensor(i).ElementCount, specialFraction);
        return result;
    }

    /// <summary>Fails naming the first element whose bits differ (NaN compared as NaN, docs/numerics.md §NaN).</summary>
    public static void AssertSameBits(float[][] expected, float[][] actual, string name, string backend)
    {
        if (BitExact.FirstMismatch(expected, actual, backend) is { } mismatch) Assert.Fail($"{name}: {mismatch}");
    }

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="inputs"/> (with <paramref name="accelDelegate"/> in front of
    /// the reference when given), invoking twice: the second invoke proves device-resident state and re-submitted
    /// work are reused correctly. Fails when a delegate was given but claimed nothing, listing why.
    /// </summary>
    public static float[][] Run(Model model, float[][] inputs, IAccelDelegate? accelDelegate, out ExecutionPlan? plan)
    {
        var options = new InterpreterOptions();
        var diagnostics = new List<string>();
        options.DiagnosticSink = diagnostics.Add;
        if (accelDelegate is not null) options.Delegates.Add(new DelegateSelection(accelDelegate));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        plan = interpreter.Plan;
        if (accelDelegate is not null && plan.DelegatedNodeCount == 0)
            Assert.Fail("nothing delegated: " + string.Join(" | ", diagnostics) + " | refused: " +
                        string.Join("; ", plan.Refused.Select(r => r.Reason)));
        float[][] outputs = [];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFrom<float>(inputs[i]);
            interpreter.Invoke();
            outputs = new float[interpreter.OutputCount][];
            for (int o = 0; o < outputs.Length; o++) outputs[o] = interpreter.GetOutputTensor(o).Read<float>().ToArray();
        }
        return outputs;
    }
}
