using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The kernels whose vector forms are checked here rather than in the op suite: FLOOR_DIV float32 (every vector tail,
/// broadcast rows, special operands with nonzero denominators), SELECT / SELECT_V2 (same shapes: the flat blend; a
/// broadcast condition row: the copy; a broadcast operand: the strided path) on every element width, and the vectorized
/// CAST pairs (float32 ↔ int32, int32 ↔ int64, uint8/int8/bool → float32, float32 → bool) over every tail and the
/// special values, plus SIN/COS/LOG over the special values.
/// </summary>
public static partial class OpCases
{
    public static readonly (TensorType From, TensorType To)[] VectorCastPairs =
    [
        (TensorType.Float32, TensorType.Int32), (TensorType.Int32, TensorType.Float32), (TensorType.Int32, TensorType.Int64),
        (TensorType.Int64, TensorType.Int32), (TensorType.UInt8, TensorType.Float32), (TensorType.Int8, TensorType.Float32),
        (TensorType.Bool, TensorType.Float32), (TensorType.Float32, TensorType.Bool),
    ];

    private static readonly TensorType[] SelectTypes = [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Bool];

    public static IEnumerable<BitExactCase> DivisionSelectCastCases(Random random)
    {
        yield return FloorDivTails(random);
        foreach (RowForm form in Enum.GetValues<RowForm>()) yield return FloorDivRows(form, random);
        yield return FloorDivSpecials();
        foreach (var op in new[] { BuiltinOperator.Select, BuiltinOperator.SelectV2 })
            foreach (var type in SelectTypes)
            {
                yield return SelectCase(op, type, [1, 3, 5, 37], [1, 3, 5, 37], random, "same shapes");
                foreach (int n in Tails) yield return SelectCase(op, type, [n], [n], random, "tail");
                yield return SelectCase(op, type, [211, 307], [211, 307], random, "large");
            }
        foreach (var type in SelectTypes)
        {
            yield return SelectCase(BuiltinOperator.SelectV2, type, [4, 1], [4, 33], random, "condition column");
            yield return SelectCase(BuiltinOperator.SelectV2, type, [3, 17], [17], random, "operands repeated");
            yield return SelectCase(BuiltinOperator.SelectV2, type, [], [2, 9], random, "scalar condition");
        }
        foreach (var (from, to) in VectorCastPairs)
        {
            yield return CastTails(from, to, random);
            yield return CastCase(from, to, [1, 211, 307], CastValues(from, random, 211 * 307), "large");
        }
        foreach (var op in new[] { BuiltinOperator.Sin, BuiltinOperator.Cos, BuiltinOperator.Log })
            yield return UnarySpecials(op);
    }

    private static BitExactCase FloorDivTails(Random random)
    {
        var mb = new ModelBuilder();
        var inputs = new List<Array>();
        foreach (int n in Tails)
        {
            int a = mb.AddTensor($"a{n}", TensorType.Float32, [n]);
            int b = mb.AddTensor($"b{n}", TensorType.Float32, [n]);
            int y = mb.AddTensor($"y{n}", TensorType.Float32, [n]);
            mb.AddOperator(BuiltinOperator.FloorDiv, [a, b], [y]);
            mb.AddInput(a);
            mb.AddInput(b);
            mb.AddOutput(y);
            inputs.Add(Values(random, n, 100f, 0.2));
            inputs.Add(NonZero(Values(random, n, 8f, 0.2)));
        }
        return new BitExactCase("FLOOR_DIV float32 tails 1..17, 33", mb.Build(), inputs.ToArray());
    }

    private static BitExactCase FloorDivRows(RowForm form, Random random)
    {
        var (shapeA, shapeB) = RowShapes(form, 37);
        int[] output = shapeA.Length >= shapeB.Length ? shapeA : shapeB;
        if (form is RowForm.OuterA or RowForm.OuterB) output = [3, 37];
        var mb = new ModelBuilder();
        int a = mb.AddTensor("a", TensorType.Float32, shapeA);
        int b = mb.AddTensor("b", TensorType.Float32, shapeB);
        int y = mb.AddTensor("y", TensorType.Float32, output);
        mb.AddOperator(BuiltinOperator.FloorDiv, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        return new BitExactCase($"FLOOR_DIV float32 rows {form}", mb.Build(),
            [Values(random, Count(shapeA), 1000f, 0.1), NonZero(Values(random, Count(shapeB), 10f, 0.1))]);
    }

    /// <summary>Every special (and its bit neighbours) against every nonzero special, both as numerator.</summary>
    private static BitExactCase FloorDivSpecials()
    {
        float[] values = TypedFloatSpecials
            .SelectMany(s => Enumerable.Range(-1, 3).Select(d => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(s) + d)))
            .ToArray();
        float[] denominators = values.Where(v => v != 0f).ToArray();
        var a = new List<float>();
        var b = new List<float>();
        foreach (float x in values)
            foreach (float d in denominators)
            {
                a.Add(x);
                b.Add(d);
            }
        var mb = new ModelBuilder();
        int ta = mb.AddTensor("a", TensorType.Float32, [a.Count]);
        int tb = mb.AddTensor("b", TensorType.Float32, [b.Count]);
        int ty = mb.AddTensor("y", TensorType.Float32, [a.Count]);
        mb.AddOperator(BuiltinOperator.FloorDiv, [ta, tb], [ty]);
        mb.AddInput(ta);
        mb.AddInput(tb);
        mb.AddOutput(ty);
        return new BitExactCase($"FLOOR_DIV float32 specials ×{a.Count}", mb.Build(), [a.ToArray(), b.ToArray()]);
    }

    private static float[] NonZero(float[] values)
    {
        for (int i = 0; i < values.Length; i++)
            if (values[i] == 0f) values[i] = 0.75f;
        return values;
    }

    private static BitExactCase SelectCase(BuiltinOperator op, TensorType type, int[] conditionShape, int[] valueShape, Random random, string label)
    {
        var mb = new ModelBuilder();
        int c = mb.AddTensor("c", TensorType.Bool, conditionShape);
        int x = mb.AddTensor("x", type, valueShape);
        int y = mb.AddTensor("y", type, valueShape);
        int[] output = conditionShape.Length > valueShape.Length ? conditionShape : valueShape;
        if (op == BuiltinOperator.SelectV2 && conditionShape.Length == valueShape.Length)
            output = conditionShape.Zip(valueShape, Math.Max).ToArray();
        int o = mb.AddTensor("out", type, output);
        mb.AddOperator(op, [c, x, y], [o]);
        mb.AddInput(c);
        mb.AddInput(x);
        mb.AddInput(y);
        mb.AddOutput(o);
        return new BitExactCase($"{op} {Dtype(type)} {label} c{Shape(conditionShape)} x{Shape(valueShape)}", mb.Build(),
            [TypedValues(TensorType.Bool, random, Count(conditionShape)), TypedValues(type, random, Count(valueShape)),
             TypedValues(type, random, Count(valueShape))]);
    }

    private static Array CastValues(TensorType type, Random random, int count)
    {
        switch (type)
        {
            case TensorType.UInt8:
            {
                var v = new byte[count];
                random.NextBytes(v);
                return v;
            }
            case TensorType.Int8:
            {
                var bytes = new byte[count];
                random.NextBytes(bytes);
                return bytes.Select(b => unchecked((sbyte)b)).ToArray();
            }
            case TensorType.Float32:
            {
                // The typed specials plus the clamp edges of float32 → int32 and their neighbours.
                var v = (float[])TypedValues(type, random, count);
                float[] edges = [2147483520f, 2147483648f, -2147483648f, -2147483904f, float.NaN, -0f, 1e-45f];
                for (int i = 0; i < count; i += 3) v[i] = edges[random.Next(edges.Length)];
                return v;
            }
            default:
                return TypedValues(type, random, count);
        }
    }

    private static BitExactCase CastTails(TensorType from, TensorType to, Random random)
    {
        var mb = new ModelBuilder();
        var inputs = new List<Array>();
        foreach (int n in Tails.Append(64).Append(1000))
        {
            int x = mb.AddTensor($"x{n}", from, [n]);
            int y = mb.AddTensor($"y{n}", to, [n]);
            mb.AddOperator(BuiltinOperator.Cast, [x], [y]);
            mb.AddInput(x);
            mb.AddOutput(y);
            inputs.Add(CastValues(from, random, n));
        }
        return new BitExactCase($"CAST {Dtype(from)} → {Dtype(to)} tails 1..17, 33, 64, 1000", mb.Build(), inputs.ToArray());
    }

    private static BitExactCase CastCase(TensorType from, TensorType to, int[] shape, Array values, string label)
    {
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", from, shape);
        int y = mb.AddTensor("y", to, shape);
        mb.AddOperator(BuiltinOperator.Cast, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        return new BitExactCase($"CAST {Dtype(from)} → {Dtype(to)} {label} {Shape(shape)}", mb.Build(), [values]);
    }
}
