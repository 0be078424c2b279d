using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// The newer integer element-wise operators on a device delegate (docs/numerics.md §Quantized execution, "Backends"):
/// on int8 and uint8 the six comparisons, MAXIMUM, MINIMUM, DIV (a constant or run-time denominator) and int8 SQUARED_DIFFERENCE —
/// byte-pair tables of the reference's formulas — with broadcasting, and SUM (MEAN's integer walk); on int16 RELU, RELU6, LEAKY_RELU (the reference
/// tabulated over every int16 value), MAXIMUM and MINIMUM. Inputs and outputs are the raw integer tensors (no
/// QUANTIZE/DEQUANTIZE around them), compared byte for byte with the reference.
/// </summary>
public static class QuantizedBinaryTableOps
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static readonly int[] ShapeA = [2, 3, 4, 5];
    private static readonly int[] ShapeB = [3, 1, 5];
    private static readonly BuiltinOperator[] Comparisons =
    [
        BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less, BuiltinOperator.LessEqual, BuiltinOperator.Greater,
        BuiltinOperator.GreaterEqual,
    ];

    /// <summary>DIV's denominator zero point (int8; uint8 adds 128), kept out of every denominator value.</summary>
    private const int DenominatorZeroPoint = 9;

    /// <summary>
    /// The 8-bit network: a [2,3,4,5] against b [3,1,5] (scales 0.05 and 0.03, so the comparisons rescale) through the
    /// six comparisons, MAXIMUM and MINIMUM (b2: a's quantization), DIV by a [5] denominator (a constant unless
    /// <paramref name="constantDenominator"/> is false), SUM over axis 2 and, on int8, SQUARED_DIFFERENCE.
    /// </summary>
    public static Model Build8(TensorType type, bool constantDenominator, int seed = 3)
    {
        bool signed = type == TensorType.Int8;
        long Zero(long int8ZeroPoint) => signed ? int8ZeroPoint : int8ZeroPoint + 128;
        var mb = new ModelBuilder($"{type.ToDisplayName()} comparisons, MAXIMUM, MINIMUM, DIV, SQUARED_DIFFERENCE");
        int a = mb.AddTensor("a", type, ShapeA, Q(0.05f, Zero(-3)));
        int b = mb.AddTensor("b", type, ShapeB, Q(0.03f, Zero(12)));
        int b2 = mb.AddTensor("b2", type, ShapeB, Q(0.05f, Zero(-3)));
        int denominator = constantDenominator
            ? mb.AddConstant("d", type, [5], DenominatorBytes(new Random(seed), 5, signed), Q(0.04f, Zero(DenominatorZeroPoint)))
            : mb.AddTensor("d", type, [5], Q(0.04f, Zero(DenominatorZeroPoint)));
        foreach (var op in Comparisons)
        {
            int y = mb.AddTensor(op.ToString(), TensorType.Bool, ShapeA);
            mb.AddOperator(op, [a, b], [y], version: 2);
            mb.AddOutput(y);
        }
        foreach (var op in new[] { BuiltinOperator.Maximum, BuiltinOperator.Minimum })
        {
            int y = mb.AddTensor(op.ToString(), type, ShapeA, Q(0.05f, Zero(-3)));
            mb.AddOperator(op, [a, b2], [y], version: 2);
            mb.AddOutput(y);
        }
        int quotient = mb.AddTensor("div", type, ShapeA, Q(0.06f, Zero(-20)));
        mb.AddOperator(BuiltinOperator.Div, [a, denominator], [quotient], new DivOptions(ActivationFunctionType.None), 2);
        mb.AddOutput(quotient);
        int axes = mb.AddConstant("axes", [1], [2]);
        int sum = mb.AddTensor("sum", type, [2, 3, 5], Q(0.25f, Zero(5)));
        mb.AddOperator(BuiltinOperator.Sum, [a, axes], [sum], new ReducerOptions(false), signed ? 2 : 1);
        mb.AddOutput(sum);
        if (signed)
        {
            int squared = mb.AddTensor("squared_difference", type, ShapeA, Q(0.02f, -100));
            mb.AddOperator(BuiltinOperator.SquaredDifference, [a, b], [squared], version: 2);
            mb.AddOutput(squared);
        }
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddInput(b2);
        if (!constantDenominator) mb.AddInput(denominator);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>The int16 network: RELU, RELU6, LEAKY_RELU (α 0.3) of x [2,3,4,5], MAXIMUM and MINIMUM of x and y [4,5].</summary>
    public static Model Build16()
    {
        var mb = new ModelBuilder("int16 RELU, RELU6, LEAKY_RELU, MAXIMUM, MINIMUM");
        int x = mb.AddTensor("x", TensorType.Int16, ShapeA, Q(0.001f, 0));
        int y = mb.AddTensor("y", TensorType.Int16, [4, 5], Q(0.001f, 0));
        int Output(string name, float scale)
        {
            int t = mb.AddTensor(name, TensorType.Int16, ShapeA, Q(scale, 0));
            mb.AddOutput(t);
            return t;
        }
        mb.AddOperator(BuiltinOperator.Relu, [x], [Output("relu", 0.0008f)], version: 3);
        mb.AddOperator(BuiltinOperator.Relu6, [x], [Output("relu6", 0.0003f)], version: 3);
        mb.AddOperator(BuiltinOperator.LeakyRelu, [x], [Output("leaky_relu", 0.0009f)], new LeakyReluOptions(0.3f), 2);
        mb.AddOperator(BuiltinOperator.Maximum, [x, y], [Output("maximum", 0.001f)], version: 4);
        mb.AddOperator(BuiltinOperator.Minimum, [x, y], [Output("minimum", 0.001f)], version: 4);
        mb.AddInput(x);
        mb.AddInput(y);
        return Model.FromBytes(mb.Build());
    }

    private static byte[] DenominatorBytes(Random random, int count, bool signed)
    {
        int zeroPoint = signed ? DenominatorZeroPoint : DenominatorZeroPoint + 128;
        var bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            do bytes[i] = (byte)random.Next(256);
            while ((signed ? (sbyte)bytes[i] : bytes[i]) == zeroPoint);
        }
        return bytes;
    }

    /// <summary>Every node on the delegate, every output byte the reference's, on int8, uint8 and int16.</summary>
    public static void AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8, TensorType.Int16 })
        {
            var model = type == TensorType.Int16 ? Build16() : Build8(type, constantDenominator: true);
            var inputs = RandomInputs(model, new Random(29));
            var expected = Run(model, inputs, null, out _);
            using var accelDelegate = createDelegate();
            var actual = Run(model, inputs, accelDelegate, out var plan);
            string name = $"{type.ToDisplayName()} comparison / MAXIMUM / MINIMUM / DIV / SUM / SQUARED_DIFFERENCE / int16 activation network";
            Assert.That(plan!.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
            Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.That(actual[o], Is.EqualTo(expected[o]), $"{name}: output {o} differs on {accelDelegate.Name}");
                // Unsaturated outputs: the ordering comparisons give both answers, the others many values (EQUAL and
                // NOT_EQUAL of differently scaled inputs are constant on random bytes; they are checked bit for bit only).
                bool comparison = type != TensorType.Int16 && o < Comparisons.Length;
                if (comparison && o < 2) continue;
                Assert.That(expected[o].Distinct().Count(), Is.GreaterThan(comparison ? 1 : 10), $"{name}: degenerate output {o}");
            }
        }
    }

    /// <summary>
    /// DIV with a denominator computed at run time (int8 and uint8, free of its zero point) runs on the delegate with
    /// every other node — the denominator checked on the device first — and gives the reference's bits.
    /// </summary>
    public static void AssertDivByARunTimeDenominatorRunsOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
        {
            var model = Build8(type, constantDenominator: false);
            var random = new Random(31);
            var inputs = RandomInputs(model, random);
            inputs[^1] = DenominatorBytes(random, 5, signed: type == TensorType.Int8);
            var expected = Run(model, inputs, null, out _);
            using var accelDelegate = createDelegate();
            var actual = Run(model, inputs, accelDelegate, out var plan);
            string name = $"{type.ToDisplayName()} network with a run-time DIV denominator";
            Assert.That(plan!.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
            Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
            for (int o = 0; o < expected.Length; o++) Assert.That(actual[o], Is.EqualTo(expected[o]), $"{name}: output {o} differs on {accelDelegate.Name}");
        }
    }

    /// <summary>
    /// A run-time DIV denominator holding its zero point (a real 0) at elements 3 and 1 (int8 and uint8): the delegate's
    /// invoke fails with the reference's <see cref="KernelException"/> (DIV's node, the same message naming element 1),
    /// wrapped in the <see cref="DelegateInvokeException"/> naming the partition; no output changes from the previous
    /// (successful) invoke; with the denominator valid again the next invoke gives the reference's bits.
    /// </summary>
    public static void AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(Func<IAccelDelegate> createDelegate)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
        {
            bool signed = type == TensorType.Int8;
            using var model = Build8(type, constantDenominator: false);
            var random = new Random(47);
            var inputs = RandomInputs(model, random);
            inputs[^1] = DenominatorBytes(random, 5, signed);
            var bad = inputs.Select(i => i.ToArray()).ToArray();
            byte zero = (byte)(signed ? DenominatorZeroPoint : DenominatorZeroPoint + 128);
            bad[^1][3] = zero;
            bad[^1][1] = zero;

            InvokeErrorHarness.AssertFailsLikeTheReference(model, createDelegate, inputs, bad, "DIV",
                "division by zero: element 1 of the denominator 'd'", $"{type.ToDisplayName()} network with a zero DIV denominator");
        }
    }

    /// <summary>Uniform random bytes for every input of <paramref name="model"/>.</summary>
    private static byte[][] RandomInputs(Model model, Random random)
    {
        using var interpreter = new Interpreter(model, new InterpreterOptions());
        interpreter.AllocateTensors();
        var inputs = new byte[interpreter.InputCount][];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = new byte[interpreter.GetInputTensor(i).ByteSize];
            random.NextBytes(inputs[i]);
        }
        return inputs;
    }

    /// <summary>Runs twice (the second from a warm partition) and returns every output's bytes.</summary>
    private static byte[][] Run(Model model, byte[][] inputs, IAccelDelegate? accelDelegate, out ExecutionPlan? plan)
    {
        var options = new InterpreterOptions();
        if (accelDelegate is not null) options.Delegates.Add(new DelegateSelection(accelDelegate));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        plan = interpreter.Plan;
        byte[][] outputs = [];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFromBytes(inputs[i]);
            interpreter.Invoke();
            outputs = new byte[interpreter.OutputCount][];
            for (int o = 0; o < outputs.Length; o++) outputs[o] = interpreter.GetOutputTensor(o).Bytes.ToArray();
        }
        return outputs;
    }
}
