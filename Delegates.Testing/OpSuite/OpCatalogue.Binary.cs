using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    private static readonly BuiltinOperator[] Int32BinaryOps =
    [
        BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul,
        BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference,
    ];

    /// <summary>
    /// DIV float32 (random broadcasts of ranks 1–6 with specials, any-bit-pattern operands for every exponent range —
    /// subnormal and overflowing quotients, ±0, ±∞, NaN — every activation) and the int32 binary ops (values over the
    /// whole range, so sums and products wrap; ranks 1–6; every activation of ADD, SUB, MUL).
    /// </summary>
    private static void AddDivisionAndInt32Binary(CaseList cases)
    {
        for (int i = 0; i < 8; i++)
        {
            var random = Rng(700, i);
            int rank = random.Next(1, 7);
            var full = new int[rank];
            for (int d = 0; d < rank; d++) full[d] = d == rank - 1 ? Channel(random) : random.Next(1, 5);
            int[] a = Broadcastable(random, full), b = Broadcastable(random, full);
            int[] output = Broadcast(a, b);
            var activation = Activations[i % Activations.Length];
            bool anyBits = i % 2 == 1;
            int seed = random.Next();
            cases.Add(Op(BuiltinOperator.Div), $"{i} {(anyBits ? "any bits" : "specials")} {S(a)} ÷ {S(b)} → {S(output)} {activation}", () =>
            {
                var values = new Random(seed);
                var m = new CaseModel();
                int ta = m.Input("a", a, anyBits ? AnyBits(values, Count(a)) : Values(values, Count(a), 4f, 0.2));
                int tb = m.Input("b", b, anyBits ? AnyBits(values, Count(b)) : Values(values, Count(b), 4f, 0.2));
                int to = m.Output("out", output);
                m.Op(BuiltinOperator.Div, [ta, tb], [to], new DivOptions(activation));
                return m.Done();
            }, NaNPayloads.Unspecified);
        }
        foreach (var op in Int32BinaryOps)
        {
            int opIndex = Array.IndexOf(Int32BinaryOps, op);
            for (int i = 0; i < 4; i++)
            {
                var random = Rng(710 + opIndex, i);
                int rank = random.Next(1, 7);
                var full = new int[rank];
                for (int d = 0; d < rank; d++) full[d] = d == rank - 1 ? Channel(random) : random.Next(1, 5);
                int[] a = Broadcastable(random, full), b = Broadcastable(random, full);
                int[] output = Broadcast(a, b);
                var activation = Activations[(i + opIndex) % Activations.Length];
                bool hasOptions = op is BuiltinOperator.Add or BuiltinOperator.Sub or BuiltinOperator.Mul;
                int seed = random.Next();
                cases.Add(Op(op), $"int32 {i} {S(a)} ⊕ {S(b)} → {S(output)}{(hasOptions ? $" {activation}" : "")}", () =>
                {
                    var values = new Random(seed);
                    var m = new CaseModel();
                    int ta = m.Int32Input("a", a, Enumerable.Range(0, Count(a)).Select(_ => values.Next(int.MinValue, int.MaxValue)).ToArray());
                    int tb = m.Int32Input("b", b, Enumerable.Range(0, Count(b)).Select(_ => values.Next(-70000, 70000)).ToArray());
                    int to = m.Output("out", output, TensorType.Int32);
                    m.Op(op, [ta, tb], [to], hasOptions ? BinaryOptions(op, activation) : null);
                    return m.Done();
                });
            }
        }
    }
}
