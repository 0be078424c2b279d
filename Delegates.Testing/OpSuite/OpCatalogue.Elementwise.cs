using Accel.Numerics;
using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    private static readonly BuiltinOperator[] BinaryOps = [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul];

    private static readonly BuiltinOperator[] UnaryOps =
        [BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.HardSwish, BuiltinOperator.Logistic];

    /// <summary>Fixed broadcasts: equal shapes, a vector, a [1,1,1,C] row, both sides broadcasting, scalars and rank 0.</summary>
    private static readonly (int[] A, int[] B)[] BroadcastPairs =
    [
        ([1, 5, 7, 9], [1, 5, 7, 9]),
        ([1, 5, 7, 9], [9]),
        ([1, 5, 7, 9], [1, 1, 1, 9]),
        ([2, 3, 4, 5], [2, 1, 4, 1]),
        ([1, 1, 1, 6], [1, 4, 3, 6]),
        ([3, 17], [3, 1]),
        ([1, 6, 6, 3], [1]),
        ([1], [2, 1, 3]),
        ([], [4, 3]),
        ([7, 1, 5], [1, 3, 1]),
        ([1, 64, 65, 3], [1, 64, 65, 3]),
    ];

    private static OperatorOptions BinaryOptions(BuiltinOperator op, ActivationFunctionType activation) => op switch
    {
        BuiltinOperator.Add => new AddOptions(activation),
        BuiltinOperator.Sub => new SubOptions(activation),
        _ => new MulOptions(activation),
    };

    /// <summary>ADD, SUB, MUL: random broadcasts (ranks 1–5, leading dimensions dropped), fixed broadcasts, large tensors.</summary>
    private static void AddBinary(CaseList cases)
    {
        foreach (var op in BinaryOps)
        {
            int opIndex = Array.IndexOf(BinaryOps, op);
            // Random broadcasts (dimensions 1 on either side, leading ones dropped), an operand sometimes constant,
            // options sometimes absent; default-NaN specials on every other case.
            for (int i = 0; i < 6; i++)
            {
                var random = Rng(100 + opIndex, i);
                int rank = random.Next(1, 6);
                var full = new int[rank];
                for (int d = 0; d < rank; d++) full[d] = d == rank - 1 ? Channel(random) : random.Next(1, 6);
                if (rank == 4) full[0] = 1;
                AddRandomBinary(cases, op, $"random {i}", random, full, i % 2 == 0 ? 0 : 0.15);
            }
            // Large enough to be split across threads and workgroups.
            for (int i = 0; i < 1; i++)
                AddRandomBinary(cases, op, $"large {i}", Rng(110 + opIndex, i), [1, 71, 65, 33], 0.05);
            // Fixed broadcasts, with the second operand a graph input and a constant; mixed specials (payload NaNs).
            for (int p = 0; p < BroadcastPairs.Length; p++)
                foreach (bool constantB in new[] { (p + opIndex) % 2 == 1 })
                {
                    var (shapeA, shapeB) = BroadcastPairs[p];
                    var activation = Activations[(p + (constantB ? 2 : 0) + opIndex) % 4];
                    int seed = 120 + opIndex;
                    int index = 2 * p + (constantB ? 1 : 0);
                    cases.Add(Op(op), $"{S(shapeA)} ⊕ {S(shapeB)}{(constantB ? " const" : "")} {activation}", () =>
                    {
                        var random = Rng(seed, index);
                        var m = new CaseModel();
                        int a = m.Input("a", shapeA, MixedValues(random, Count(shapeA), 0.2));
                        int b = constantB ? m.Const("b", shapeB, MixedValues(random, Count(shapeB), 0.2)) : m.Input("b", shapeB, MixedValues(random, Count(shapeB), 0.2));
                        int y = m.Output("y", Broadcast(shapeA, shapeB));
                        m.Op(op, [a, b], [y], BinaryOptions(op, activation));
                        return m.Done();
                    });
                }
        }
    }

    private static void AddRandomBinary(CaseList cases, BuiltinOperator op, string label, Random random, int[] full, double specialFraction)
    {
        int[] a = Broadcastable(random, full), b = Broadcastable(random, full);
        if (random.Next(3) == 0) a = (int[])full.Clone();
        else if (random.Next(2) == 0) b = (int[])full.Clone();
        int[] output = Broadcast(a, b); // a dimension may have become 1 in both
        var activation = Activations[random.Next(Activations.Length)];
        bool noOptions = random.Next(8) == 0;
        bool constantB = random.Next(4) == 0;
        int valueSeed = random.Next();
        cases.Add(Op(op), $"{label} {S(a)} ⊕ {S(b)}{(constantB ? " const" : "")} → {S(output)} {(noOptions ? "no-options" : activation)}", () =>
        {
            var values = new Random(valueSeed);
            var m = new CaseModel();
            int ta = m.Input("a", a, Values(values, Count(a), 4f, specialFraction));
            float[] bv = Values(values, Count(b), 4f, specialFraction);
            int tb = constantB ? m.Const("b", b, bv) : m.Input("b", b, bv);
            int to = m.Output("out", output);
            m.Op(op, [ta, tb], [to], noOptions ? null : BinaryOptions(op, activation));
            return m.Done();
        }, NaNPayloads.Deterministic, output.Length > 4 ? [Features.RankAbove4] : null);
    }

    /// <summary>A shape that broadcasts to <paramref name="output"/>: some dimensions 1, some leading ones dropped.</summary>
    private static int[] Broadcastable(Random random, int[] output)
    {
        var shape = output.Select(d => random.Next(3) == 0 ? 1 : d).ToArray();
        int drop = random.Next(shape.Length);
        return random.Next(2) == 0 ? shape[drop..] : shape;
    }

    /// <summary>The thresholds of Exp and Logistic (docs/numerics.md §SpecMath) and other exponent edges.</summary>
    private static readonly float[] LogisticEdges =
    [
        SpecMath.ExpOverflowThreshold, SpecMath.ExpUnderflowThreshold, SpecMath.LogisticLowerThreshold,
        -SpecMath.ExpOverflowThreshold, -SpecMath.ExpUnderflowThreshold, -SpecMath.LogisticLowerThreshold,
        17f, -17f, 16.619f, -9f, 0.5f, -0.5f, 1.5f, -2.5f, 126.5f, -149.5f, float.MaxValue, -float.MaxValue,
        float.MinValue, 1.1754944e-38f, -1.1754944e-38f,
    ];

    private static OpCaseData Unary(BuiltinOperator op, int[] shape, float[] x)
    {
        var m = new CaseModel();
        int ti = m.Input("x", shape, x);
        int to = m.Output("y", shape);
        m.Op(op, [ti], [to]);
        return m.Done();
    }

    /// <summary>RELU, RELU6, HARD_SWISH, LOGISTIC: random shapes, tails around 64-wide workgroups, specials and their bit neighbours, large tensors.</summary>
    private static void AddUnary(CaseList cases)
    {
        foreach (var op in UnaryOps)
        {
            int opIndex = Array.IndexOf(UnaryOps, op);
            float scale = op == BuiltinOperator.Logistic ? 120f : 8f;
            for (int i = 0; i < 4; i++)
            {
                var random = Rng(200 + opIndex, i);
                int[] shape = random.Next(3) switch
                {
                    0 => [random.Next(1, 300)],
                    1 => [1, Odd(random, 9), Odd(random, 9), Channel(random)],
                    _ => [random.Next(1, 4), Channel(random)],
                };
                double specials = i % 2 == 0 ? 0 : 0.2;
                int valueSeed = random.Next();
                cases.Add(Op(op), $"random {i} {S(shape)}", () => Unary(op, shape, Values(new Random(valueSeed), Count(shape), scale, specials)),
                    NaNPayloads.Deterministic);
            }
            // Large enough to be split across threads.
            int[] large = [1, 61, 67, 33];
            cases.Add(Op(op), $"large {S(large)}", () => Unary(op, large, Values(Rng(210, opIndex), Count(large), 100f, 0.05)),
                NaNPayloads.Deterministic);
            // Every special and its bit neighbours, in one tensor; a NaN with a payload and a negative NaN must pass unchanged.
            cases.Add(Op(op), "specials and their bit neighbours", () =>
            {
                var values = new List<float>();
                foreach (float s in Specials)
                {
                    int bits = BitConverter.SingleToInt32Bits(s);
                    for (int delta = -2; delta <= 2; delta++) values.Add(BitConverter.Int32BitsToSingle(bits + delta));
                }
                values.Add(BitConverter.Int32BitsToSingle(0x7FC12345));
                values.Add(BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)));
                return Unary(op, [values.Count], values.ToArray());
            }, NaNPayloads.Deterministic);
            // Sizes around the 64-wide workgroup (and 8-, 16-lane vectors), mixed specials.
            int[][] tails = [[1], [7], [63], [64], [65], [1, 33, 31, 17]];
            for (int t = 0; t < tails.Length; t++)
            {
                int[] shape = tails[t];
                int index = t;
                cases.Add(Op(op), $"tail {S(shape)} mixed specials", () => Unary(op, shape, MixedValues(Rng(220 + opIndex, index), Count(shape), 0.4)));
            }
        }

        const string logistic = "LOGISTIC";
        // Every 4099th bit pattern of the whole float range: both signs, subnormals, NaNs, the exp underflow/overflow edges.
        cases.Add(logistic, "every 4099th bit pattern", () =>
        {
            var values = new List<float>();
            for (long bits = 0; bits <= uint.MaxValue; bits += 4099) values.Add(BitConverter.UInt32BitsToSingle((uint)bits));
            return Unary(BuiltinOperator.Logistic, [values.Count], values.ToArray());
        });
        // Random bit patterns (every exponent) with the thresholds and their neighbours planted.
        for (int i = 0; i < 4; i++)
        {
            var random = Rng(230, i);
            int rank = random.Next(1, 5);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, i < 2 ? 9 : 40)).ToArray();
            int valueSeed = random.Next();
            cases.Add(logistic, $"random bits {i} {S(shape)} with the thresholds", () =>
            {
                var values = new Random(valueSeed);
                int count = Count(shape);
                var input = AnyBits(values, count);
                for (int e = 0; e < LogisticEdges.Length && e < count; e++)
                    input[values.Next(count)] = values.Next(3) switch
                    {
                        0 => LogisticEdges[e],
                        1 => MathF.BitIncrement(LogisticEdges[e]),
                        _ => MathF.BitDecrement(LogisticEdges[e]),
                    };
                return Unary(BuiltinOperator.Logistic, shape, input);
            });
        }
        // The thresholds and 8 neighbours on each side.
        cases.Add(logistic, "thresholds and 8 neighbours each side", () =>
        {
            var values = new List<float> { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon };
            foreach (float edge in LogisticEdges)
            {
                float up = edge, down = edge;
                for (int k = 0; k < 8; k++)
                {
                    values.Add(up);
                    values.Add(down);
                    up = MathF.BitIncrement(up);
                    down = MathF.BitDecrement(down);
                }
            }
            return Unary(BuiltinOperator.Logistic, [values.Count], values.ToArray());
        });
    }
}
