using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;
using static Accel.Testing.InvokeErrorHarness;

namespace Accel.Testing;

/// <summary>
/// The integer LOG, SQRT and RSQRT forms on a device delegate (docs/numerics.md §Quantized execution): int8 and int16
/// LOG (no input is an error), SQRT and RSQRT fed both by a network input and by ABS's output (an intermediate on the
/// device, never below its zero point). SQRT and RSQRT check every input against the zero point on the device first, as
/// the reference does at Invoke; a negative real input must fail the invoke with the reference's <see cref="KernelException"/>
/// (its node and message) and leave every output of the partition as it was.
/// </summary>
public static class QuantizedLogSqrtRsqrtOps
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static readonly int[] Shape = [3, 5, 17];

    /// <summary>The input zero point of the network's SQRT and RSQRT of input <c>p</c> (int8: −20; int16: 0).</summary>
    public static int PositiveZeroPoint(TensorType type) => type == TensorType.Int16 ? 0 : -20;

    /// <summary>
    /// x → LOG; x → ABS → SQRT, RSQRT; p → SQRT, RSQRT (node 5 is RSQRT of p). int8: x (0.05, −7), p (0.03, −20);
    /// int16: every zero point 0.
    /// </summary>
    public static Model Build(TensorType type)
    {
        bool wide = type == TensorType.Int16;
        long Zero(long int8ZeroPoint) => wide ? 0 : int8ZeroPoint;
        var mb = new ModelBuilder($"{type.ToDisplayName()} LOG, SQRT, RSQRT");
        int x = mb.AddTensor("x", type, Shape, Q(wide ? 0.001f : 0.05f, Zero(-7)));
        int p = mb.AddTensor("p", type, Shape, Q(wide ? 0.0005f : 0.03f, PositiveZeroPoint(type)));
        int Unary(BuiltinOperator op, int input, string name, float scale, long zeroPoint, int version)
        {
            int y = mb.AddTensor(name, type, Shape, Q(scale, Zero(zeroPoint)));
            mb.AddOperator(op, [input], [y], version: version);
            return y;
        }
        int log = Unary(BuiltinOperator.Log, x, "log", wide ? 0.0003f : 0.04f, 20, 2);
        int abs = Unary(BuiltinOperator.Abs, x, "abs", wide ? 0.001f : 0.04f, -10, wide ? 3 : 2);
        int sqrtAbs = Unary(BuiltinOperator.Sqrt, abs, "sqrt_abs", wide ? 0.0002f : 0.03f, -128, 2);
        int rsqrtAbs = Unary(BuiltinOperator.Rsqrt, abs, "rsqrt_abs", wide ? 0.01f : 0.2f, -128, wide ? 3 : 2);
        int sqrtP = Unary(BuiltinOperator.Sqrt, p, "sqrt_p", wide ? 0.0001f : 0.02f, -100, 2);
        int rsqrtP = Unary(BuiltinOperator.Rsqrt, p, "rsqrt_p", wide ? 0.02f : 0.5f, -128, wide ? 3 : 2);
        foreach (int y in new[] { log, sqrtAbs, rsqrtAbs, sqrtP, rsqrtP }) mb.AddOutput(y);
        mb.AddInput(x);
        mb.AddInput(p);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>Random x over the whole type; p at or above its zero point.</summary>
    private static byte[][] Inputs(TensorType type, Random random)
    {
        int elements = Shape.Aggregate(1, (a, b) => a * b);
        if (type == TensorType.Int16)
        {
            byte[] Values(int min) => Enumerable.Range(0, elements).SelectMany(_ => BitConverter.GetBytes((short)random.Next(min, 32768))).ToArray();
            return [Values(short.MinValue), Values(0)];
        }
        var x = new byte[elements];
        random.NextBytes(x);
        var p = Enumerable.Range(0, elements).Select(_ => (byte)(sbyte)random.Next(PositiveZeroPoint(type), 128)).ToArray();
        return [x, p];
    }

    /// <summary>Every node on the delegate, every output byte the reference's, on int8 and int16 (two invokes each).</summary>
    public static void AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.Int16 })
        {
            using var model = Build(type);
            var inputs = Inputs(type, new Random(41));
            using var reference = Create(model, null);
            var expected = Run(reference, inputs);
            using var accelDelegate = createDelegate();
            using var delegated = Create(model, accelDelegate);
            var plan = delegated.Plan;
            string name = $"{type.ToDisplayName()} LOG / ABS / SQRT / RSQRT network";
            Assert.That(plan.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
            Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
            for (int round = 0; round < 2; round++)
            {
                var actual = Run(delegated, inputs);
                for (int o = 0; o < expected.Length; o++)
                {
                    Assert.That(actual[o], Is.EqualTo(expected[o]), $"{name}: output {o} differs on {accelDelegate.Name} (invoke {round + 1})");
                    Assert.That(expected[o].Distinct().Count(), Is.GreaterThan(8), $"{name}: degenerate output {o}");
                }
            }
        }
    }

    /// <summary>
    /// One element of p below its zero point (int8 and int16): the delegate's invoke fails with the reference's
    /// <see cref="KernelException"/> (node 4, SQRT of p, the first in execution order; the same message naming the element
    /// and its value), wrapped in the <see cref="DelegateInvokeException"/> naming the partition; no output changes from
    /// the previous (successful) invoke; and with p valid again the next invoke gives the reference's bits.
    /// </summary>
    public static void AssertANegativeInputFailsTheInvokeWithTheReferencesError(Func<IAccelDelegate> createDelegate)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.Int16 })
        {
            using var model = Build(type);
            var inputs = Inputs(type, new Random(43));
            int size = type == TensorType.Int16 ? 2 : 1;
            var bad = new[] { inputs[0], inputs[1].ToArray() };
            // Two offenders: the error names the first (element 37), with its value.
            foreach (var (element, value) in new[] { (61, -3), (37, -1) })
                if (size == 2) BitConverter.TryWriteBytes(bad[1].AsSpan(2 * element), (short)(PositiveZeroPoint(type) + value));
                else bad[1][element] = (byte)(sbyte)(PositiveZeroPoint(type) + value);

            InvokeErrorHarness.AssertFailsLikeTheReference(model, createDelegate, inputs, bad, "SQRT", "input element 37 is",
                $"{type.ToDisplayName()} LOG / ABS / SQRT / RSQRT network");
        }
    }
}
