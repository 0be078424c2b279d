using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>Runs a model on the reference interpreter and with the Vulkan delegate and compares bits.</summary>
internal static class VulkanHarness
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

    /// <summary>NaNs (several payloads, both signs), ±0, ±inf, subnormals, huge values and the clamp edges.</summary>
    public static readonly float[] Specials =
    [
        0f, -0f, float.NaN, BitConverter.Int32BitsToSingle(0x7FC00123), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00000)),
        float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f,
        BitConverter.Int32BitsToSingle(0x007FFFFF), BitConverter.Int32BitsToSingle(0x00800000), 3e38f, -3e38f, 6f, -1f, 1f, -3f, 3f,
        BitConverter.Int32BitsToSingle(0x40C00001), BitConverter.Int32BitsToSingle(0x40BFFFFF), -87.5f, -95f, -103.9f, 88.7f, 17f,
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

    /// <summary>A fresh delegate on the test device (lavapipe here; see <see cref="VulkanTestEnvironment"/>).</summary>
    public static VulkanDelegate CreateDelegate(TimeSpan? fenceTimeout = null)
    {
        var vulkan = new VulkanDelegate(fenceTimeout: fenceTimeout);
        Assert.That(vulkan.UnavailableReason, Is.Null, "Vulkan must be available for these tests (mesa-vulkan-drivers)");
        return vulkan;
    }

    /// <summary>Runs both and asserts every output is bit-identical (NaN compared as NaN); returns the delegated interpreter's plan.</summary>
    public static ExecutionPlan AssertBitExact(byte[] modelBytes, float[][] inputs, string name)
    {
        var model = Model.FromBytes(modelBytes);
        var expected = Run(model, inputs, null, out _);
        var actual = Run(model, inputs, CreateDelegate(), out var plan);
        AssertSameBits(expected, actual, name);
        return plan!;
    }

    public static void AssertSameBits(float[][] expected, float[][] actual, string name)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{name}: output count");
        for (int o = 0; o < expected.Length; o++)
        {
            Assert.That(actual[o].Length, Is.EqualTo(expected[o].Length), $"{name}: output {o} length");
            for (int i = 0; i < expected[o].Length; i++)
            {
                uint e = BitConverter.SingleToUInt32Bits(expected[o][i]);
                uint a = BitConverter.SingleToUInt32Bits(actual[o][i]);
                // docs/numerics.md §NaN: where the result is NaN any NaN conforms (sign and payload unspecified).
                if (e != a && !(float.IsNaN(expected[o][i]) && float.IsNaN(actual[o][i])))
                    Assert.Fail($"{name}: output {o} differs first at index {i}: reference {expected[o][i]:R} (0x{e:X8}), " +
                                $"vulkan {actual[o][i]:R} (0x{a:X8})");
            }
        }
    }

    /// <summary>
    /// Invokes twice (the second run proves the re-submitted command buffer and device-resident state are reused
    /// correctly) and fails on any validation-layer error when the layer is on.
    /// </summary>
    public static float[][] Run(Model model, float[][] inputs, VulkanDelegate? vulkan, out ExecutionPlan? plan)
    {
        var options = new InterpreterOptions();
        var diagnostics = new List<string>();
        options.DiagnosticSink = diagnostics.Add;
        if (vulkan is not null) options.Delegates.Add(new DelegateSelection(vulkan));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        plan = interpreter.Plan;
        if (vulkan is not null && plan.DelegatedNodeCount == 0)
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
        if (vulkan?.ValidationLog is { } log)
            Assert.That(log.ErrorCount, Is.Zero, "validation errors: " + string.Join("\n", log.Messages));
        return outputs;
    }

    public static int Tensor(this ModelBuilder mb, string name, params int[] shape) => mb.AddTensor(name, TensorType.Float32, shape);

    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int da = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int db = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            dims[d] = da == 1 ? db : da;
        }
        return dims;
    }
}
