namespace Accel.Delegates.Cpu.Tests;

/// <summary>Helpers of the CPU delegate's allocation and thread-pool tests: random values, a reference run, bit comparison.</summary>
internal static class ConvDelegateHarness
{
    public static float[] Random(Random random, int count, float scale = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    /// <summary>Runs <paramref name="model"/> (single float32 input and output) on the reference kernels.</summary>
    public static float[] RunReference(byte[] model, float[] input)
    {
        using var loaded = Model.FromBytes(model);
        using var interpreter = new Interpreter(loaded);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        return interpreter.Output<float>(0).ToArray();
    }

    /// <summary>
    /// The model's one node runs on the CPU delegate at 1, 2 and 3 threads (3: splits into unequal shares), and every
    /// output has the reference's bits.
    /// </summary>
    public static void AssertSingleNodeDelegatedAndBitExact(byte[] model, float[] input, string description)
    {
        var expected = RunReference(model, input);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var loaded = Model.FromBytes(model);
            var options = new InterpreterOptions { Threads = threads };
            options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
            using var interpreter = new Interpreter(loaded, options);
            interpreter.AllocateTensors();
            Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1), "the CPU delegate takes the node");
            interpreter.SetInput<float>(0, input);
            interpreter.Invoke();
            AssertBitEqual(interpreter.Output<float>(0).ToArray(), expected, $"{description}, {threads} thread(s)");
        }
    }

    public static void AssertBitEqual(float[] actual, float[] expected, string description)
    {
        if (FirstDifference(actual, expected) is { } difference) Assert.Fail($"{description}: {difference}");
    }

    /// <summary>Null when both arrays hold the same bit patterns; otherwise where and how they first differ.</summary>
    public static string? FirstDifference(float[] actual, float[] expected)
    {
        if (actual.Length != expected.Length) return $"length {actual.Length}, expected {expected.Length}";
        for (int i = 0; i < expected.Length; i++)
        {
            uint a = BitConverter.SingleToUInt32Bits(actual[i]), e = BitConverter.SingleToUInt32Bits(expected[i]);
            if (a != e)
                return $"first difference at index {i}: delegate {actual[i]:R} (0x{a:X8}), reference {expected[i]:R} (0x{e:X8})";
        }
        return null;
    }
}

public sealed class ConvDelegateHarnessTests
{
    [Test]
    public void BitComparisonReportsTheFirstDifferenceIncludingSignOfZeroAndNaNPayload()
    {
        Assert.That(ConvDelegateHarness.FirstDifference([1f, 0f], [1f, -0f]), Does.Contain("index 1"));
        var nan = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC12345));
        Assert.That(ConvDelegateHarness.FirstDifference([float.NaN], [nan]), Does.Contain("index 0"));
        Assert.That(ConvDelegateHarness.FirstDifference([nan, -0f], [nan, -0f]), Is.Null);
        Assert.That(ConvDelegateHarness.FirstDifference([1f], [1f, 2f]), Does.Contain("length"));
    }
}
