using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// int32 DIV on a device delegate (docs/numerics.md §DIV): the quotient truncated toward zero, −2³¹ / −1 saturating to
/// 2³¹ − 1, then the fused activation; a zero denominator fails the invoke with the reference's error. The denominator
/// is a run-time input, so the device checks it before dividing.
/// </summary>
public static class IntegerDivisionOps
{
    private static readonly int[] ShapeA = [2, 3, 4, 5];
    private static readonly int[] ShapeB = [3, 1, 5];

    /// <summary>a [2,3,4,5] / d [3,1,5] (broadcast) twice: no activation, and RELU (the int32 clamp to [0, 2³¹ − 1]).</summary>
    public static Model Build()
    {
        var mb = new ModelBuilder("int32 DIV");
        int a = mb.AddTensor("a", TensorType.Int32, ShapeA);
        int d = mb.AddTensor("d", TensorType.Int32, ShapeB);
        int plain = mb.AddTensor("div", TensorType.Int32, ShapeA);
        int relu = mb.AddTensor("div_relu", TensorType.Int32, ShapeA);
        mb.AddOperator(BuiltinOperator.Div, [a, d], [plain], new DivOptions(ActivationFunctionType.None));
        mb.AddOperator(BuiltinOperator.Div, [a, d], [relu], new DivOptions(ActivationFunctionType.Relu));
        mb.AddInput(a);
        mb.AddInput(d);
        mb.AddOutput(plain);
        mb.AddOutput(relu);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>
    /// Numerators and denominators that reach every branch: ±2³¹ extremes, −1 and 1, exact and inexact quotients of
    /// both signs, small and large magnitudes; no denominator is 0.
    /// </summary>
    public static byte[][] Inputs(int seed)
    {
        var random = new Random(seed);
        int[] special = [int.MinValue, int.MinValue + 1, int.MaxValue, -1, 1, 0, 7, -7, 100, -100];
        var a = new int[ShapeA.Aggregate(1, (x, y) => x * y)];
        for (int i = 0; i < a.Length; i++)
            a[i] = i < special.Length ? special[i] : (i % 3) switch
            {
                0 => random.Next(int.MinValue, int.MaxValue),
                1 => random.Next(-1000, 1000),
                _ => random.Next(-70000, 70000) * 12,
            };
        int[] denominators = [-1, 1, int.MinValue, int.MaxValue, 3, -3, 12, -12, 2, -7, 65536, -1000, 5, -5, 1];
        var d = new int[ShapeB.Aggregate(1, (x, y) => x * y)];
        for (int i = 0; i < d.Length; i++) d[i] = denominators[(i + seed) % denominators.Length];
        // −2³¹ over the first −1 it meets (d's 15 elements hold every denominator once, −1 included).
        int minusOne = Array.IndexOf(d, -1);
        a[(minusOne / 5) * 20 + minusOne % 5] = int.MinValue;
        return [MemoryMarshal.AsBytes(a.AsSpan()).ToArray(), MemoryMarshal.AsBytes(d.AsSpan()).ToArray()];
    }

    /// <summary>Both DIV nodes on the delegate, every output byte the reference's, over several input draws.</summary>
    public static void AssertRunsOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        using var model = Build();
        using var accelDelegate = createDelegate();
        using var reference = InvokeErrorHarness.Create(model, null);
        using var delegated = InvokeErrorHarness.Create(model, accelDelegate);
        string name = $"int32 DIV on {accelDelegate.Name}";
        Assert.That(delegated.Plan.Refused, Is.Empty, $"{name}: {string.Join("; ", delegated.Plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
        Assert.That(delegated.Plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
        for (int seed = 1; seed <= 4; seed++)
        {
            var inputs = Inputs(seed);
            var expected = InvokeErrorHarness.Run(reference, inputs);
            var actual = InvokeErrorHarness.Run(delegated, inputs);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.That(actual[o], Is.EqualTo(expected[o]), $"{name}: output {o} differs (seed {seed})");
                Assert.That(MemoryMarshal.Cast<byte, int>(expected[o]).ToArray().Distinct().Count(), Is.GreaterThan(20), $"{name}: degenerate output {o}");
            }
            var quotients = MemoryMarshal.Cast<byte, int>(expected[0]).ToArray();
            Assert.That(quotients, Does.Contain(int.MaxValue), $"{name}: −2³¹ / −1 not reached (seed {seed})");
        }
    }

    /// <summary>
    /// A run-time int32 denominator holding 0 at elements 4 and 2: the delegate's invoke fails with the reference's
    /// <see cref="KernelException"/> naming element 2, outputs unchanged, and the next valid invoke is exact.
    /// </summary>
    public static void AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(Func<IAccelDelegate> createDelegate)
    {
        using var model = Build();
        var good = Inputs(1);
        var bad = good.Select(i => i.ToArray()).ToArray();
        var denominator = MemoryMarshal.Cast<byte, int>(bad[1].AsSpan());
        denominator[4] = 0;
        denominator[2] = 0;
        InvokeErrorHarness.AssertFailsLikeTheReference(model, createDelegate, good, bad, "DIV",
            "division by zero: element 2 of the denominator 'd' is 0", "int32 DIV with a zero denominator");
    }

    private static QuantizationParameters Q(float scale) => new([scale], [0], 0, [], []);

    /// <summary>
    /// int16 DIV (zero points 0): a [2,3,4,5] / d [3,1,5] at three output scales (a coarse, a fine and a saturating
    /// one) and RELU, so the fixed-point quotient's rounding shift runs over a wide range of counts.
    /// </summary>
    public static Model Build16()
    {
        var mb = new ModelBuilder("int16 DIV");
        int a = mb.AddTensor("a", TensorType.Int16, ShapeA, Q(0.002f));
        int d = mb.AddTensor("d", TensorType.Int16, ShapeB, Q(0.0005f));
        (string Name, float Scale, ActivationFunctionType Activation)[] outputs =
            [("div", 0.01f, ActivationFunctionType.None), ("div_fine", 0.00005f, ActivationFunctionType.None),
             ("div_coarse", 0.5f, ActivationFunctionType.None), ("div_relu", 0.01f, ActivationFunctionType.Relu)];
        foreach (var (name, scale, activation) in outputs)
        {
            int y = mb.AddTensor(name, TensorType.Int16, ShapeA, Q(scale));
            mb.AddOperator(BuiltinOperator.Div, [a, d], [y], new DivOptions(activation), 2);
            mb.AddOutput(y);
        }
        mb.AddInput(a);
        mb.AddInput(d);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>Random int16 numerators (the extremes, 0 and ±1 first) and non-zero denominators of every magnitude.</summary>
    public static byte[][] Inputs16(int seed)
    {
        var random = new Random(seed);
        short[] special = [short.MinValue, short.MaxValue, 0, 1, -1, short.MinValue + 1];
        var a = new short[ShapeA.Aggregate(1, (x, y) => x * y)];
        for (int i = 0; i < a.Length; i++)
            a[i] = i < special.Length ? special[i] : (short)(i % 2 == 0 ? random.Next(short.MinValue, short.MaxValue + 1) : random.Next(-300, 300));
        short[] denominators = [short.MinValue, short.MaxValue, 1, -1, 2, -3, 7, 100, -100, 1000, -4096, 12345, -20000, 5, 32767];
        var d = new short[ShapeB.Aggregate(1, (x, y) => x * y)];
        for (int i = 0; i < d.Length; i++) d[i] = denominators[(i + seed) % denominators.Length];
        return [MemoryMarshal.AsBytes(a.AsSpan()).ToArray(), MemoryMarshal.AsBytes(d.AsSpan()).ToArray()];
    }

    /// <summary>Every int16 DIV node on the delegate, every output byte the reference's, over several input draws.</summary>
    public static void AssertInt16RunsOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        using var model = Build16();
        using var accelDelegate = createDelegate();
        using var reference = InvokeErrorHarness.Create(model, null);
        using var delegated = InvokeErrorHarness.Create(model, accelDelegate);
        string name = $"int16 DIV on {accelDelegate.Name}";
        Assert.That(delegated.Plan.Refused, Is.Empty, $"{name}: {string.Join("; ", delegated.Plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
        Assert.That(delegated.Plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
        for (int seed = 1; seed <= 4; seed++)
        {
            var inputs = Inputs16(seed);
            var expected = InvokeErrorHarness.Run(reference, inputs);
            var actual = InvokeErrorHarness.Run(delegated, inputs);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.That(actual[o], Is.EqualTo(expected[o]), $"{name}: output {o} differs (seed {seed})");
                Assert.That(MemoryMarshal.Cast<byte, short>(expected[o]).ToArray().Distinct().Count(), Is.GreaterThan(10), $"{name}: degenerate output {o}");
            }
        }
    }

    /// <summary>A run-time int16 denominator holding 0 at elements 6 and 3: the reference's error, outputs unchanged.</summary>
    public static void AssertAZeroInt16DenominatorFailsTheInvokeWithTheReferencesError(Func<IAccelDelegate> createDelegate)
    {
        using var model = Build16();
        var good = Inputs16(2);
        var bad = good.Select(i => i.ToArray()).ToArray();
        var denominator = MemoryMarshal.Cast<byte, short>(bad[1].AsSpan());
        denominator[6] = 0;
        denominator[3] = 0;
        InvokeErrorHarness.AssertFailsLikeTheReference(model, createDelegate, good, bad, "DIV",
            "division by zero: element 3 of the denominator 'd' is 0", "int16 DIV with a zero denominator");
    }

    /// <summary>
    /// By hand (slow): every int16 numerator against <paramref name="denominators"/> non-zero denominators spread over the
    /// int16 range (±1, ±2, the extremes included), at output scales from saturating to fine, compared bit for bit with
    /// the reference.
    /// </summary>
    public static void AssertInt16SweepMatchesTheReference(Func<IAccelDelegate> createDelegate, int denominators = 512)
    {
        var values = new List<short> { short.MinValue, short.MaxValue, 1, -1, 2, -2 };
        for (int k = 0; values.Count < denominators; k++)
        {
            var v = (short)(short.MinValue + 1 + (long)k * 65533 / denominators);
            if (v != 0 && !values.Contains(v)) values.Add(v);
        }
        foreach (float outputScale in new[] { 0.0001f, 0.004f, 0.25f, 30f })
        {
            var mb = new ModelBuilder("int16 DIV sweep");
            int a = mb.AddTensor("a", TensorType.Int16, [1, 65536], Q(0.001f));
            int d = mb.AddTensor("d", TensorType.Int16, [values.Count, 1], Q(0.003f));
            int y = mb.AddTensor("div", TensorType.Int16, [values.Count, 65536], Q(outputScale));
            mb.AddOperator(BuiltinOperator.Div, [a, d], [y], new DivOptions(ActivationFunctionType.None), 2);
            mb.AddInput(a);
            mb.AddInput(d);
            mb.AddOutput(y);
            using var model = Model.FromBytes(mb.Build());
            var numerators = new short[65536];
            for (int v = 0; v < numerators.Length; v++) numerators[v] = (short)(v - 32768);
            byte[][] inputs = [MemoryMarshal.AsBytes(numerators.AsSpan()).ToArray(), MemoryMarshal.AsBytes(values.ToArray().AsSpan()).ToArray()];
            using var accelDelegate = createDelegate();
            using var reference = InvokeErrorHarness.Create(model, null);
            using var delegated = InvokeErrorHarness.Create(model, accelDelegate);
            Assert.That(delegated.Plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, "int16 DIV sweep: not delegated");
            var expected = MemoryMarshal.Cast<byte, short>(InvokeErrorHarness.Run(reference, inputs)[0]).ToArray();
            var actual = MemoryMarshal.Cast<byte, short>(InvokeErrorHarness.Run(delegated, inputs)[0]).ToArray();
            int first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => expected[i] != actual[i], -1);
            Assert.That(first, Is.EqualTo(-1), first < 0 ? "" :
                $"output scale {outputScale}: {numerators[first % 65536]} / {values[first / 65536]} gives {actual[first]} on {accelDelegate.Name}, the reference {expected[first]}");
            TestContext.Out.WriteLine($"int16 DIV sweep on {accelDelegate.Name}, output scale {outputScale}: {expected.Length:N0} quotients bit-exact, {expected.Distinct().Count()} distinct");
        }
    }
}
