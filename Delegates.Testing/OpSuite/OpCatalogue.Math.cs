using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    private static readonly BuiltinOperator[] MathUnaryOps =
        [BuiltinOperator.Exp, BuiltinOperator.Log, BuiltinOperator.Sqrt, BuiltinOperator.Rsqrt, BuiltinOperator.Sin, BuiltinOperator.Cos];

    /// <summary>
    /// The math family: EXP … COS over random shapes, a tensor large enough to split over threads and workgroups,
    /// every 4099th bit pattern (both signs, subnormals, NaNs, huge arguments), tails around 64-wide workgroups; POW with
    /// broadcasts; LOG_SOFTMAX, L2_NORMALIZATION and LOCAL_RESPONSE_NORMALIZATION over rows at the vector tails.
    /// </summary>
    private static void AddMath(CaseList cases)
    {
        foreach (var op in MathUnaryOps)
        {
            int opIndex = Array.IndexOf(MathUnaryOps, op);
            for (int i = 0; i < 3; i++)
            {
                var random = Rng(700 + opIndex, i);
                int[] shape = i == 0 ? [random.Next(1, 300)] : [1, Odd(random, 9), Odd(random, 9), Channel(random)];
                int valueSeed = random.Next();
                double specials = i == 2 ? 0.2 : 0;
                cases.Add(Op(op), $"random {i} {S(shape)}", () => Unary(op, shape, Values(new Random(valueSeed), Count(shape), 12f, specials)));
            }
            int[] large = [1, 61, 67, 33];
            cases.Add(Op(op), $"large {S(large)}", () => Unary(op, large, Values(Rng(710, opIndex), Count(large), 40f, 0.05)));
            cases.Add(Op(op), "every 4099th bit pattern", () =>
            {
                var values = new List<float>();
                for (long bits = 0; bits <= uint.MaxValue; bits += 4099) values.Add(BitConverter.UInt32BitsToSingle((uint)bits));
                return Unary(op, [values.Count], values.ToArray());
            });
            int[][] tails = [[7], [63], [65], [1, 33, 31, 17]];
            for (int t = 0; t < tails.Length; t++)
            {
                int[] shape = tails[t];
                int index = t;
                cases.Add(Op(op), $"tail {S(shape)} mixed specials", () => Unary(op, shape, MixedValues(Rng(720 + opIndex, index), Count(shape), 0.4)));
            }
        }

        (int[] A, int[] B)[] powShapes = [([1, 5, 7, 9], [1, 5, 7, 9]), ([1, 5, 7, 9], [9]), ([3, 17], [3, 1]), ([], [4, 3]), ([1, 61, 67, 33], [33])];
        for (int p = 0; p < powShapes.Length; p++)
        {
            var (shapeA, shapeB) = powShapes[p];
            int index = p;
            cases.Add("POW", $"{S(shapeA)} ^ {S(shapeB)}", () =>
            {
                var random = Rng(740, index);
                var m = new CaseModel();
                // Bases of both signs (integral exponents among the others, so negative bases give numbers too).
                int a = m.Input("a", shapeA, Values(random, Count(shapeA), 6f, index % 2 == 0 ? 0 : 0.15));
                float[] exponents = Values(random, Count(shapeB), 6f, index % 2 == 0 ? 0 : 0.15);
                for (int i = 0; i < exponents.Length; i += 2) exponents[i] = MathF.Round(exponents[i]);
                int b = m.Input("b", shapeB, exponents);
                int y = m.Output("y", shapeA.Length >= shapeB.Length ? shapeA : shapeB);
                m.Op(BuiltinOperator.Pow, [a, b], [y]);
                return m.Done();
            });
        }

        int[][] rows = [[1], [7], [2, 17], [3, 64], [5, 65], [1, 4, 5, 33], [64, 64, 17]];
        for (int r = 0; r < rows.Length; r++)
        {
            int[] shape = rows[r];
            int index = r;
            cases.Add("LOG_SOFTMAX", $"{S(shape)}", () => Row(BuiltinOperator.LogSoftmax, shape, null, MixedValues(Rng(750, index), Count(shape), index % 2 == 0 ? 0 : 0.1)));
            if (shape.Length <= 4)
                cases.Add("L2_NORMALIZATION", $"{S(shape)}", () =>
                    Row(BuiltinOperator.L2Normalization, shape, new L2NormOptions(ActivationFunctionType.None), MixedValues(Rng(760, index), Count(shape), index % 2 == 0 ? 0 : 0.1)));
        }
        (int Radius, float Bias, float Alpha, float Beta)[] lrn = [(0, 1f, 1f, 0.5f), (2, 2f, 1e-4f, 0.75f), (5, 1f, 0.5f, 1f), (40, 0.5f, 2f, -0.5f)];
        for (int l = 0; l < lrn.Length; l++)
        {
            var (radius, bias, alpha, beta) = lrn[l];
            int[] shape = [1, 3, 5, 17 + 16 * l];
            int index = l;
            cases.Add("LOCAL_RESPONSE_NORMALIZATION", $"r={radius} bias={bias} alpha={alpha} beta={beta} {S(shape)}", () =>
                Row(BuiltinOperator.LocalResponseNormalization, shape, new LocalResponseNormalizationOptions(radius, bias, alpha, beta),
                    MixedValues(Rng(770, index), Count(shape), index % 2 == 0 ? 0 : 0.1)));
        }
    }

    /// <summary>One float32 node over the last dimension: input and output of <paramref name="shape"/>.</summary>
    private static OpCaseData Row(BuiltinOperator op, int[] shape, OperatorOptions? options, float[] x)
    {
        var m = new CaseModel();
        int ti = m.Input("x", shape, x);
        int to = m.Output("y", shape);
        m.Op(op, [ti], [to], options);
        return m.Done();
    }
}
