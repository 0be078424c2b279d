using Accel.Building;
using Accel.Delegates;
using Accel.Delegates.Cpu;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Shared by the convolution-family delegate tests: runs one model on the reference executor and with the CPU
/// delegate, and compares the outputs bit for bit.
/// </summary>
internal static class ConvDelegateHarness
{
    /// <summary>
    /// Values whose IEEE corner cases the fast kernels must treat exactly like the reference. The only NaN is x86's
    /// default NaN (0xFFC00000, what 0 × inf produces): IEEE 754 leaves open which payload survives when two NaNs
    /// meet, and so does the reference itself (its <c>acc + bias</c> keeps the bias's NaN under the JIT's MinOpts and
    /// the accumulator's when optimized), so tests that put NaNs into several operands use one NaN pattern.
    /// </summary>
    public static readonly float[] SpecialValues =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, -3e-39f, float.PositiveInfinity, float.NegativeInfinity,
        float.NaN, 3e38f, -3e38f, 1e20f, -1e20f, 6f, -1f, 1f,
    ];

    /// <summary>
    /// NaNs with payloads and either sign, for inputs only (weights and bias then hold no NaN): a NaN operand of an FMA
    /// wins over the accumulator's NaN and over 0 × inf on every x86 form, so these payloads must survive exactly.
    /// </summary>
    public static readonly float[] PayloadNaNs =
    [
        BitConverter.Int32BitsToSingle(unchecked((int)0xFFC12345)), BitConverter.Int32BitsToSingle(0x7FC00001),
        BitConverter.Int32BitsToSingle(0x7FFFFFFF),
    ];

    public static float[] Random(Random random, int count, float scale = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    /// <summary>Overwrites about <paramref name="fraction"/> of the values with entries of <paramref name="specials"/> (default <see cref="SpecialValues"/>).</summary>
    public static float[] WithSpecials(Random random, float[] values, double fraction, float[]? specials = null)
    {
        specials ??= SpecialValues;
        for (int i = 0; i < values.Length; i++)
            if (random.NextDouble() < fraction) values[i] = specials[random.Next(specials.Length)];
        return values;
    }

    /// <summary>Special values without NaN (for weights and bias next to <see cref="PayloadNaNs"/> inputs).</summary>
    public static readonly float[] SpecialNumbers = SpecialValues.Where(v => !float.IsNaN(v)).ToArray();

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

    /// <summary>Runs <paramref name="model"/> with the CPU delegate on <paramref name="threads"/> threads; invokes twice.</summary>
    public static float[] RunDelegated(byte[] model, float[] input, int threads, out ExecutionPlan plan)
    {
        using var loaded = Model.FromBytes(model);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(loaded, options);
        interpreter.AllocateTensors();
        plan = interpreter.Plan;
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        float[] first = interpreter.Output<float>(0).ToArray();
        interpreter.Invoke(); // a second run must not depend on state left by the first
        AssertBitEqual(interpreter.Output<float>(0).ToArray(), first, "second invoke");
        return first;
    }

    /// <summary>
    /// The delegated run on 1 and on 2 threads equals the reference run bit for bit, and the delegate took
    /// <paramref name="expectedDelegatedNodes"/> nodes.
    /// </summary>
    public static void AssertMatchesReference(byte[] model, float[] input, string description, int expectedDelegatedNodes = 1)
    {
        float[] expected = RunReference(model, input);
        foreach (int threads in new[] { 1, 2 })
        {
            float[] actual = RunDelegated(model, input, threads, out var plan);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(expectedDelegatedNodes),
                $"{description}: delegated nodes (refusals: {string.Join("; ", plan.Refused.Select(r => r.Reason))})");
            AssertBitEqual(actual, expected, $"{description}, {threads} thread(s)");
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

    /// <summary>A model with one builtin operator: input tensor 0 (activation), constants, one output.</summary>
    public static byte[] SingleOp(BuiltinOperator op, int[] inputShape, (int[] Shape, float[] Values)? weights,
        (int[] Shape, float[] Values)? bias, int[] outputShape, OperatorOptions options, int version = 1)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, inputShape);
        int w = weights is { } wt ? b.AddConstant("weights", wt.Shape, wt.Values) : -1;
        int c = bias is { } bt ? b.AddConstant("bias", bt.Shape, bt.Values) : -1;
        int y = b.AddTensor("output", TensorType.Float32, outputShape);
        b.AddOperator(op, [x, w, c], [y], options, version);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    /// <summary>SAME/VALID output size, as TFLite computes it.</summary>
    public static int OutputSize(Padding padding, int input, int filter, int stride, int dilation)
    {
        int effective = (filter - 1) * dilation + 1;
        return padding == Padding.Same ? (input + stride - 1) / stride : Math.Max(0, (input - effective + stride) / stride);
    }

    public static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    /// <summary>Channel counts around every vector width's tail (1, 4, 8, 16 lanes and their doubles).</summary>
    public static readonly int[] TailChannels =
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 24, 25, 28, 31, 32, 33, 36, 42, 47, 48, 49, 63, 64, 65];
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
