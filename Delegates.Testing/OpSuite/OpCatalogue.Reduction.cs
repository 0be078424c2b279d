using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    private static OpCaseData ReductionModel(BuiltinOperator op, int[] shape, int[] axes, bool keepDims, float[] x)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[a < 0 ? a + rank : a] = true;
        var output = Enumerable.Range(0, rank).Where(d => keepDims || !reduced[d]).Select(d => reduced[d] ? 1 : shape[d]).ToArray();
        var m = new CaseModel();
        int ti = m.Input("x", shape, x);
        int ta = m.Const("axes", [axes.Length], axes);
        int to = m.Output("y", output);
        m.Op(op, [ti, ta], [to], new ReducerOptions(keepDims));
        return m.Done();
    }

    /// <summary>
    /// SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN (float32): random axis sets (negative, duplicated), keep_dims both ways,
    /// ranks 1–6, specials (NaN, ±inf, ±0) in every other case, long innermost runs kept and reduced, an empty reduced
    /// dimension (the identity) and more runs than the device layouts take.
    /// </summary>
    private static void AddReductions(CaseList cases)
    {
        BuiltinOperator[] ops = [BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin];
        for (int o = 0; o < ops.Length; o++)
        {
            var builtin = ops[o];
            string op = Op(builtin);
            // Products of many values leave the float range: keep REDUCE_PROD's values near 1 in magnitude.
            float scale = builtin == BuiltinOperator.ReduceProd ? 1.25f : 4f;
            for (int i = 0; i < 8; i++)
            {
                var random = Rng(900 + o, i);
                int rank = random.Next(1, 7);
                var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, rank <= 3 ? 13 : 6)).ToArray();
                if (i % 3 == 0) shape[^1] = Channel(random);
                int axisCount = random.Next(1, rank + 1);
                var axes = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).Take(axisCount).Select(a => random.Next(2) == 0 ? a : a - rank).ToList();
                if (i % 4 == 3) axes.Add(axes[0]);
                bool keepDims = i % 2 == 1;
                double specials = i % 2 == 0 ? 0 : 0.15;
                int valueSeed = random.Next();
                int[] written = axes.ToArray();
                cases.Add(op, $"random {i} {S(shape)} axes [{string.Join(",", written)}] keep_dims {keepDims}", () =>
                        ReductionModel(builtin, shape, written, keepDims, Values(new Random(valueSeed), Count(shape), scale, specials)),
                    NaNPayloads.Deterministic, tags: MeanRuns(shape, written) > 4 ? [Features.MeanManyRuns] : null);
            }
            cases.Add(op, "innermost kept [5,9,67] axes [0,1]", () =>
                ReductionModel(builtin, [5, 9, 67], [0, 1], false, Values(Rng(910 + o, 0), 5 * 9 * 67, scale, 0.05)), NaNPayloads.Deterministic);
            cases.Add(op, "innermost reduced [6,1001] axes [1]", () =>
                ReductionModel(builtin, [6, 1001], [1], true, Values(Rng(910 + o, 1), 6 * 1001, scale, 0.01)), NaNPayloads.Deterministic);
            cases.Add(op, "empty reduced dimension [3,0,4] axes [1]", () =>
                ReductionModel(builtin, [3, 0, 4], [1], false, []), NaNPayloads.Deterministic);
            cases.Add(op, "rank 9 with 5 kept and 4 reduced runs", () =>
                ReductionModel(builtin, [2, 2, 2, 2, 2, 2, 2, 2, 2], [1, 3, 5, 7], false, MixedValues(Rng(910 + o, 2), 512, 0.1)),
                tags: [Features.MeanManyRuns]);
        }
    }
}
