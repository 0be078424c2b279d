using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, MEAN on int32 and int64 and REDUCE_ANY on bool (and MEAN, SUM on int16, fixed
/// forms only): random ranks 1–6 with random axis
/// sets (negative, duplicated) and keep_dims both ways, innermost runs kept (vector lanes, every tail) and reduced, an
/// empty reduced dimension (the identity), a scalar input (a copy), and a tensor split across the pool. Values mix the
/// dtype's extremes (sums and products wrap), and bool inputs hold non-canonical true bytes and mostly-false rows.
/// </summary>
public static partial class OpCases
{
    public static readonly (BuiltinOperator Op, TensorType Type)[] IntegerReductionOps =
    [
        (BuiltinOperator.Sum, TensorType.Int32), (BuiltinOperator.Sum, TensorType.Int64),
        (BuiltinOperator.ReduceProd, TensorType.Int32), (BuiltinOperator.ReduceProd, TensorType.Int64),
        (BuiltinOperator.ReduceMax, TensorType.Int32), (BuiltinOperator.ReduceMax, TensorType.Int64),
        (BuiltinOperator.ReduceMin, TensorType.Int32), (BuiltinOperator.ReduceMin, TensorType.Int64),
        (BuiltinOperator.ReduceAny, TensorType.Bool),
        (BuiltinOperator.Mean, TensorType.Int32), (BuiltinOperator.Mean, TensorType.Int64),
    ];

    /// <summary>Every integer/bool reduction case: <paramref name="randomCases"/> random ones per (op, dtype) plus the fixed forms.</summary>
    public static IEnumerable<BitExactCase> IntegerReductionCases(Random random, int randomCases)
    {
        foreach (var (op, type) in IntegerReductionOps)
        {
            for (int i = 0; i < randomCases; i++)
            {
                int rank = random.Next(1, 7);
                var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, rank <= 3 ? 13 : 6)).ToArray();
                if (i % 2 == 0) shape[^1] = Channel(random);
                int axisCount = random.Next(1, rank + 1);
                var axes = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).Take(axisCount)
                    .Select(a => random.Next(2) == 0 ? a : a - rank).ToList();
                if (i % 4 == 3) axes.Add(axes[0]);
                yield return IntegerReduction(op, type, shape, axes.ToArray(), keepDims: i % 2 == 1, random, $"random {i}");
            }
            yield return IntegerReduction(op, type, [5, 9, 67], [0, 1], keepDims: false, random, "innermost kept");
            yield return IntegerReduction(op, type, [3, 7, 17], [-3], keepDims: true, random, "innermost kept tail");
            yield return IntegerReduction(op, type, [6, 1001], [1], keepDims: true, random, "innermost reduced");
            yield return IntegerReduction(op, type, [3, 0, 4], [1], keepDims: false, random, "empty reduced dimension");
            // MEAN's definition takes no axis of a scalar (TFLite's neither); the other reductions copy it.
            if (op != BuiltinOperator.Mean) yield return IntegerReduction(op, type, [], [0], keepDims: false, random, "scalar input");
        }
        foreach (var op in new[] { BuiltinOperator.Mean, BuiltinOperator.Sum })
        {
            // int16 (zero points 0): the AVX2 widening rows and the scalar tails; MEAN's spatial form (keep_dims, rank 4, axes [1, 2]) too.
            yield return Int16Reduction(op, [2, 9, 7, 37], [1, 2], keepDims: true, random, "spatial");
            yield return Int16Reduction(op, [5, 9, 67], [0, 1], keepDims: false, random, "innermost kept");
            yield return Int16Reduction(op, [6, 1001], [1], keepDims: true, random, "innermost reduced");
            yield return Int16Reduction(op, [3, 7, 17], [-3], keepDims: false, random, "innermost kept tail");
        }
    }

    /// <summary>int16 MEAN / SUM: input scale 0.002, output 0.0015 (MEAN) or 0.05 (SUM), zero points 0.</summary>
    private static BitExactCase Int16Reduction(BuiltinOperator op, int[] shape, int[] axes, bool keepDims, Random random, string label)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[a < 0 ? a + rank : a] = true;
        int[] output = Enumerable.Range(0, rank).Where(d => keepDims || !reduced[d]).Select(d => reduced[d] ? 1 : shape[d]).ToArray();
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Int16, shape, new QuantizationParameters([0.002f], [0], 0, [], []));
        int axesTensor = mb.AddConstant("axes", [axes.Length], axes);
        float outputScale = op == BuiltinOperator.Mean ? 0.0015f : 0.05f;
        int y = mb.AddTensor("y", TensorType.Int16, output, new QuantizationParameters([outputScale], [0], 0, [], []));
        mb.AddOperator(op, [x, axesTensor], [y], new ReducerOptions(keepDims), version: op == BuiltinOperator.Mean ? 3 : 2);
        mb.AddInput(x);
        mb.AddOutput(y);
        var input = new short[shape.Aggregate(1, (p, d) => p * d)];
        for (int i = 0; i < input.Length; i++) input[i] = (short)random.Next(short.MinValue, short.MaxValue + 1);
        return new BitExactCase($"{op} int16 {string.Join('x', shape)} axes {string.Join(',', axes)}{(keepDims ? " keep" : "")} ({label})", mb.Build(), [input]);
    }

    /// <summary>A tensor split across the pool: [64, 37, 129] reduced over axis 1.</summary>
    public static BitExactCase IntegerReductionLarge(BuiltinOperator op, TensorType type, Random random) =>
        IntegerReduction(op, type, [64, 37, 129], [1], keepDims: false, random, "large");

    private static BitExactCase IntegerReduction(BuiltinOperator op, TensorType type, int[] shape, int[] axes, bool keepDims,
        Random random, string label)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        if (rank > 0)
            foreach (int a in axes) reduced[a < 0 ? a + rank : a] = true;
        int[] output = Enumerable.Range(0, rank).Where(d => keepDims || !reduced[d]).Select(d => reduced[d] ? 1 : shape[d]).ToArray();
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", type, shape);
        int ta = mb.AddConstant("axes", [axes.Length], axes);
        int to = mb.AddTensor("y", type, output);
        mb.AddOperator(op, [ti, ta], [to], new ReducerOptions(keepDims));
        mb.AddInput(ti);
        mb.AddOutput(to);
        Array values = type == TensorType.Bool
            ? SparseTruths(random, Count(shape))
            : TypedValues(type, random, Count(shape));
        return new BitExactCase($"{op} {Dtype(type)} {label} {Shape(shape)} axes [{string.Join(",", axes)}] keep_dims {keepDims}",
            mb.Build(), [values]);
    }

    /// <summary>Mostly false bytes (so some outputs are false), the true ones 1 or another nonzero byte.</summary>
    private static byte[] SparseTruths(Random random, int count)
    {
        var v = new byte[count];
        for (int i = 0; i < count; i++)
            if (random.Next(8) == 0) v[i] = BoolBytes[random.Next(BoolBytes.Length)];
        return v;
    }
}
