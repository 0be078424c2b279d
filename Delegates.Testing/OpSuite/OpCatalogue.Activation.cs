using Accel.Numerics;
using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    /// <summary>The activation family's one-input operators without options.</summary>
    private static readonly BuiltinOperator[] ActivationUnaryOps =
        [BuiltinOperator.Tanh, BuiltinOperator.Elu, BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1];

    /// <summary>The branch thresholds of Expm1 and Tanh (docs/numerics.md §SpecMath) and the exp edges they reach.</summary>
    private static readonly float[] ActivationEdges =
    [
        SpecMath.Expm1TinyLimit, -SpecMath.Expm1TinyLimit, SpecMath.Expm1ExpLimit, -SpecMath.Expm1ExpLimit,
        SpecMath.TanhSaturation, -SpecMath.TanhSaturation, 8.25f, -8.25f, 0.3465736f, -0.3465736f,
        SpecMath.ExpOverflowThreshold, SpecMath.ExpUnderflowThreshold, 1f, -1f, 0.5f, -0.5f,
    ];

    /// <summary>
    /// TANH, ELU, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU, GELU, PRELU (alpha broadcast every way TFLite allows, constant
    /// or not) and SPACE_TO_DEPTH: random shapes, tails around 64-wide workgroups and vector widths, specials, every
    /// branch threshold and its bit neighbours, tensors large enough to split over threads.
    /// </summary>
    private static void AddActivations(CaseList cases)
    {
        foreach (var op in ActivationUnaryOps)
        {
            int opIndex = Array.IndexOf(ActivationUnaryOps, op);
            AddUnaryActivationCases(cases, Op(op), 800 + opIndex * 10, (shape, x) => Unary(op, shape, x));
        }
        foreach (float alpha in new[] { 0.2f, -0.5f, 2.5f, 0f })
            AddUnaryActivationCases(cases, "LEAKY_RELU", 850 + (int)(alpha * 10), (shape, x) => WithOptions(BuiltinOperator.LeakyRelu, shape, x, new LeakyReluOptions(alpha)),
                $"alpha {alpha:R} ");
        foreach (bool approximate in new[] { false, true })
            AddUnaryActivationCases(cases, "GELU", approximate ? 870 : 880, (shape, x) => WithOptions(BuiltinOperator.Gelu, shape, x, new GeluOptions(approximate)),
                approximate ? "approximate " : "exact ");
        AddPrelu(cases);
        AddSpaceToDepth(cases);
    }

    private static void AddUnaryActivationCases(CaseList cases, string op, int seed, Func<int[], float[], OpCaseData> model, string prefix = "")
    {
        for (int i = 0; i < 3; i++)
        {
            var random = Rng(seed, i);
            int[] shape = i == 0 ? [random.Next(1, 300)] : [1, Odd(random, 9), Odd(random, 9), Channel(random)];
            int valueSeed = random.Next();
            cases.Add(op, $"{prefix}random {i} {S(shape)}", () => model(shape, Values(new Random(valueSeed), Count(shape), 12f, i == 1 ? 0.2 : 0)),
                NaNPayloads.Deterministic);
        }
        cases.Add(op, $"{prefix}specials, thresholds and their bit neighbours", () =>
        {
            var values = new List<float>();
            foreach (float s in Specials.Concat(ActivationEdges))
            {
                int bits = BitConverter.SingleToInt32Bits(s);
                for (int delta = -2; delta <= 2; delta++) values.Add(BitConverter.Int32BitsToSingle(bits + delta));
            }
            return model([values.Count], values.ToArray());
        }, NaNPayloads.Deterministic);
        int[][] tails = [[1], [7], [63], [65], [1, 33, 31, 17]];
        for (int t = 0; t < tails.Length; t++)
        {
            int[] shape = tails[t];
            int index = t;
            cases.Add(op, $"{prefix}tail {S(shape)} mixed specials", () => model(shape, MixedValues(Rng(seed + 5, index), Count(shape), 0.4)));
        }
        int[] large = [1, 61, 67, 33];
        cases.Add(op, $"{prefix}large {S(large)}", () => model(large, Values(Rng(seed + 6, 0), Count(large), 20f, 0.05)), NaNPayloads.Deterministic);
        cases.Add(op, $"{prefix}every 65537th bit pattern", () =>
        {
            var values = new List<float>();
            for (long bits = 0; bits <= uint.MaxValue; bits += 65537) values.Add(BitConverter.UInt32BitsToSingle((uint)bits));
            return model([values.Count], values.ToArray());
        });
    }

    private static OpCaseData WithOptions(BuiltinOperator op, int[] shape, float[] x, OperatorOptions options)
    {
        var m = new CaseModel();
        int ti = m.Input("x", shape, x);
        int to = m.Output("y", shape);
        m.Op(op, [ti], [to], options);
        return m.Done();
    }

    private static void AddPrelu(CaseList cases)
    {
        const string op = "PRELU";
        (int[] Input, int[] Alpha)[] shapes =
        [
            ([1, 5, 7, 3], [1, 1, 3]), ([1, 5, 7, 17], [17]), ([2, 5, 7, 16], [5, 1, 16]), ([1, 9, 9, 7], [1, 9, 1]),
            ([1, 4, 5, 65], [1, 4, 5, 65]), ([3, 33], [1]), ([2, 7, 5], [7, 5]), ([2, 3, 2, 3, 5], [2, 3, 2, 3, 5]),
            ([1, 61, 67, 33], [33]),
        ];
        for (int i = 0; i < shapes.Length; i++)
        {
            var (input, alpha) = shapes[i];
            int index = i;
            foreach (bool constant in new[] { true, false })
            {
                cases.Add(op, $"{S(input)} alpha {S(alpha)}{(constant ? " constant" : " input")}", () =>
                {
                    var m = new CaseModel();
                    int tx = m.Input("x", input, MixedValues(Rng(890, index), Count(input), 0.2));
                    float[] slopes = Values(Rng(891, index), Count(alpha), 3f);
                    int ta = constant ? m.Const("alpha", alpha, slopes) : m.Input("alpha", alpha, slopes);
                    int ty = m.Output("y", input);
                    m.Op(BuiltinOperator.Prelu, [tx, ta], [ty]);
                    return m.Done();
                });
            }
        }
    }

    private static void AddSpaceToDepth(CaseList cases)
    {
        const string op = "SPACE_TO_DEPTH";
        for (int i = 0; i < 8; i++)
        {
            var random = Rng(895, i);
            int block = i % 4 + 1;
            int depth = new[] { 1, 2, 3, 7, 16, 17, 64, 65 }[random.Next(8)];
            int[] input = [random.Next(1, 3), random.Next(1, 5) * block, random.Next(1, 5) * block, depth];
            int valueSeed = random.Next();
            cases.Add(op, $"block {block} {S(input)}", () =>
            {
                var m = new CaseModel();
                int ti = m.Input("x", input, MixedValues(new Random(valueSeed), Count(input), 0.3));
                int to = m.Output("y", [input[0], input[1] / block, input[2] / block, depth * block * block]);
                m.Op(BuiltinOperator.SpaceToDepth, [ti], [to], new SpaceToDepthOptions(block));
                return m.Done();
            }, NaNPayloads.Moved);
        }
    }
}
