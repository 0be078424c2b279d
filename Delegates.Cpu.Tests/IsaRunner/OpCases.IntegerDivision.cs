using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The vectorized division family and clamped int32 arithmetic: DIV / FLOOR_DIV / FLOOR_MOD on int32 (through binary64)
/// and FLOOR_MOD on float32 (binary64 remainder with a per-lane fallback), ADD / SUB / MUL / DIV on int32 with each
/// fused activation. Every vector tail, every broadcast row form, the cross product of the special values (−2³¹, −1,
/// 2³¹ − 1 …; NaN, ±∞, ±0, subnormals, huge quotients) and a tensor large enough to split over the pool.
/// </summary>
public static partial class OpCases
{
    private static readonly BuiltinOperator[] Int32DivisionOps = [BuiltinOperator.Div, BuiltinOperator.FloorDiv, BuiltinOperator.FloorMod];

    private static readonly BuiltinOperator[] ClampedInt32Ops = [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul, BuiltinOperator.Div];

    public static IEnumerable<BitExactCase> IntegerDivisionCases(Random random)
    {
        foreach (var op in Int32DivisionOps)
        {
            yield return DivisionTails(op, TensorType.Int32, null, random);
            foreach (RowForm form in Enum.GetValues<RowForm>()) yield return DivisionRows(op, TensorType.Int32, form, random);
            yield return DivisionSpecials(op, TensorType.Int32);
            yield return DivisionLarge(op, TensorType.Int32, random);
        }
        yield return DivisionTails(BuiltinOperator.FloorMod, TensorType.Float32, null, random);
        foreach (RowForm form in Enum.GetValues<RowForm>()) yield return DivisionRows(BuiltinOperator.FloorMod, TensorType.Float32, form, random);
        yield return DivisionSpecials(BuiltinOperator.FloorMod, TensorType.Float32);
        yield return DivisionLarge(BuiltinOperator.FloorMod, TensorType.Float32, random);
        yield return FloatFloorModOrdinary(random);
        foreach (var op in ClampedInt32Ops)
            foreach (var activation in Activations.Where(a => a != ActivationFunctionType.None))
            {
                yield return DivisionTails(op, TensorType.Int32, activation, random);
                yield return DivisionSpecials(op, TensorType.Int32, activation);
            }
    }

    private static OperatorOptions? ActivationOptions(BuiltinOperator op, ActivationFunctionType? activation) => activation switch
    {
        null => null,
        { } a => op switch
        {
            BuiltinOperator.Add => new AddOptions(a),
            BuiltinOperator.Sub => new SubOptions(a),
            BuiltinOperator.Mul => new MulOptions(a),
            BuiltinOperator.Div => new DivOptions(a),
            _ => throw new ArgumentException($"{op} has no fused activation"),
        },
    };

    /// <summary>Numerators: the type's typed values (specials, small, full range; float32 also huge quotients).</summary>
    private static Array Numerators(TensorType type, Random random, int count) => TypedValues(type, random, count);

    /// <summary>
    /// Denominators: int32 mostly small magnitudes (quotients of every size), specials and full-range values, never 0;
    /// float32 the typed values with zeros kept (FLOOR_MOD's ±0 denominator is NaN, not an error) and small magnitudes.
    /// </summary>
    private static Array Denominators(TensorType type, Random random, int count)
    {
        if (type == TensorType.Float32)
        {
            var f = (float[])TypedValues(type, random, count);
            for (int i = 0; i < count; i += 4) f[i] = (random.NextSingle() * 2f - 1f) * (random.Next(2) == 0 ? 1e-3f : 8f);
            return f;
        }
        var v = (int[])TypedValues(type, random, count);
        for (int i = 0; i < count; i++)
        {
            if (i % 3 == 0) v[i] = random.Next(-20, 21);
            if (v[i] == 0) v[i] = i % 2 == 0 ? 7 : -3;
        }
        return v;
    }

    private static BitExactCase DivisionTails(BuiltinOperator op, TensorType type, ActivationFunctionType? activation, Random random)
    {
        var mb = new ModelBuilder();
        var inputs = new List<Array>();
        foreach (int n in Tails)
        {
            int a = mb.AddTensor($"a{n}", type, [n]);
            int b = mb.AddTensor($"b{n}", type, [n]);
            int y = mb.AddTensor($"y{n}", type, [n]);
            mb.AddOperator(op, [a, b], [y], ActivationOptions(op, activation));
            mb.AddInput(a);
            mb.AddInput(b);
            mb.AddOutput(y);
            inputs.Add(Numerators(type, random, n));
            inputs.Add(Denominators(type, random, n));
        }
        string clamp = activation is { } act ? $" {act}" : "";
        return new BitExactCase($"{op} {Dtype(type)}{clamp} tails 1..17, 33", mb.Build(), inputs.ToArray());
    }

    private static BitExactCase DivisionRows(BuiltinOperator op, TensorType type, RowForm form, Random random)
    {
        var (shapeA, shapeB) = RowShapes(form, 37);
        int[] output = BroadcastShape(shapeA, shapeB);
        var mb = new ModelBuilder();
        int a = mb.AddTensor("a", type, shapeA);
        int b = mb.AddTensor("b", type, shapeB);
        int y = mb.AddTensor("y", type, output);
        mb.AddOperator(op, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        return new BitExactCase($"{op} {Dtype(type)} rows {form}", mb.Build(),
            [Numerators(type, random, Count(shapeA)), Denominators(type, random, Count(shapeB))]);
    }

    /// <summary>Every special numerator against every special denominator (zero left out for the integer divisions).</summary>
    private static BitExactCase DivisionSpecials(BuiltinOperator op, TensorType type, ActivationFunctionType? activation = null)
    {
        Array a, b;
        if (type == TensorType.Float32)
        {
            float[] values = TypedFloatSpecials
                .SelectMany(s => Enumerable.Range(-1, 3).Select(d => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(s) + d)))
                .Concat([1e-3f, -1e-3f, 0.1f, -0.1f, 3f, -3f, 7.5f, 1e30f, -1e30f])
                .ToArray();
            a = values.SelectMany(x => values.Select(_ => x)).ToArray();
            b = values.SelectMany(_ => values).ToArray();
        }
        else
        {
            int[] values = [.. Int32Specials, 7, -7, 10, -10, 100003, -2147483647 / 3];
            bool division = op is BuiltinOperator.Div or BuiltinOperator.FloorDiv or BuiltinOperator.FloorMod;
            int[] denominators = division ? values.Where(v => v != 0).ToArray() : values;
            a = values.SelectMany(x => denominators.Select(_ => x)).ToArray();
            b = values.SelectMany(_ => denominators).ToArray();
        }
        var mb = new ModelBuilder();
        int ta = mb.AddTensor("a", type, [a.Length]);
        int tb = mb.AddTensor("b", type, [b.Length]);
        int ty = mb.AddTensor("y", type, [a.Length]);
        mb.AddOperator(op, [ta, tb], [ty], ActivationOptions(op, activation));
        mb.AddInput(ta);
        mb.AddInput(tb);
        mb.AddOutput(ty);
        string clamp = activation is { } act ? $" {act}" : "";
        return new BitExactCase($"{op} {Dtype(type)}{clamp} specials ×{a.Length}", mb.Build(), [a, b]);
    }

    private static BitExactCase DivisionLarge(BuiltinOperator op, TensorType type, Random random)
    {
        int[] shape = [211, 307];
        var mb = new ModelBuilder();
        int a = mb.AddTensor("a", type, shape);
        int b = mb.AddTensor("b", type, shape);
        int y = mb.AddTensor("y", type, shape);
        mb.AddOperator(op, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        return new BitExactCase($"{op} {Dtype(type)} large {Shape(shape)}", mb.Build(),
            [Numerators(type, random, Count(shape)), Denominators(type, random, Count(shape))]);
    }

    /// <summary>
    /// FLOOR_MOD float32 on finite operands only (every vector on the binary64 fast path, none falling back to the
    /// per-lane reference): quotients up to about 2²⁰, both signs, exact multiples (zero remainders of either sign).
    /// </summary>
    private static BitExactCase FloatFloorModOrdinary(Random random)
    {
        int[] shape = [97, 131];
        int count = Count(shape);
        var a = new float[count];
        var b = new float[count];
        for (int i = 0; i < count; i++)
        {
            b[i] = (random.NextSingle() + 0.01f) * (random.Next(2) == 0 ? -1f : 1f) * (random.Next(3) == 0 ? 0.125f : 10f);
            a[i] = random.Next(5) == 0 ? b[i] * random.Next(-1000, 1001) : (random.NextSingle() * 2f - 1f) * 1e5f;
        }
        var mb = new ModelBuilder();
        int ta = mb.AddTensor("a", TensorType.Float32, shape);
        int tb = mb.AddTensor("b", TensorType.Float32, shape);
        int ty = mb.AddTensor("y", TensorType.Float32, shape);
        mb.AddOperator(BuiltinOperator.FloorMod, [ta, tb], [ty]);
        mb.AddInput(ta);
        mb.AddInput(tb);
        mb.AddOutput(ty);
        return new BitExactCase($"FloorMod float32 finite operands {Shape(shape)}", mb.Build(), [a, b]);
    }
}
