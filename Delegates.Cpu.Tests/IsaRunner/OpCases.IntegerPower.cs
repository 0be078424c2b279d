using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// POW int32 (square-and-multiply per lane, wrapping): every vector tail, every broadcast row form, the cross product of
/// special bases (−2³¹, −1, 0, 1, 2, 2³¹ − 1 …) with exponents 0, 1, 2, 30–33, 2³¹ − 1 (lanes that finish their loop at
/// different steps), and a tensor large enough to split over the pool.
/// </summary>
public static partial class OpCases
{
    private static readonly int[] SpecialExponents = [0, 1, 2, 3, 7, 30, 31, 32, 33, 64, 1 << 30, int.MaxValue];

    public static IEnumerable<BitExactCase> IntegerPowerCases(Random random)
    {
        var mb = new ModelBuilder();
        var inputs = new List<Array>();
        foreach (int n in Tails)
        {
            int a = mb.AddTensor($"a{n}", TensorType.Int32, [n]);
            int b = mb.AddTensor($"b{n}", TensorType.Int32, [n]);
            int y = mb.AddTensor($"y{n}", TensorType.Int32, [n]);
            mb.AddOperator(BuiltinOperator.Pow, [a, b], [y]);
            mb.AddInput(a);
            mb.AddInput(b);
            mb.AddOutput(y);
            inputs.Add(TypedValues(TensorType.Int32, random, n));
            inputs.Add(Exponents(random, n));
        }
        yield return new BitExactCase("Pow int32 tails 1..17, 33", mb.Build(), inputs.ToArray());

        foreach (RowForm form in Enum.GetValues<RowForm>())
        {
            var (shapeA, shapeB) = RowShapes(form, 37);
            yield return Power($"rows {form}", shapeA, shapeB, TypedValues(TensorType.Int32, random, Count(shapeA)), Exponents(random, Count(shapeB)));
        }

        int[] bases = [.. Int32Specials, 3, -3, 7, -7, 46341, -46341];
        int[] specialA = bases.SelectMany(x => SpecialExponents.Select(_ => x)).ToArray();
        int[] specialB = bases.SelectMany(_ => SpecialExponents).ToArray();
        yield return Power($"specials ×{specialA.Length}", [specialA.Length], [specialB.Length], specialA, specialB);

        int[] large = [211, 307];
        yield return Power($"large {Shape(large)}", large, large, TypedValues(TensorType.Int32, random, Count(large)), Exponents(random, Count(large)));
    }

    /// <summary>Non-negative exponents: mostly small (exact powers of small bases), some of every bit length.</summary>
    private static int[] Exponents(Random random, int count)
    {
        var e = new int[count];
        for (int i = 0; i < count; i++)
            e[i] = (i % 4) switch
            {
                0 => random.Next(0, 5),
                1 => random.Next(0, 40),
                2 => SpecialExponents[random.Next(SpecialExponents.Length)],
                _ => random.Next() >> random.Next(31),
            };
        return e;
    }

    private static BitExactCase Power(string label, int[] shapeA, int[] shapeB, Array a, Array b)
    {
        var mb = new ModelBuilder();
        int ta = mb.AddTensor("a", TensorType.Int32, shapeA);
        int tb = mb.AddTensor("b", TensorType.Int32, shapeB);
        int ty = mb.AddTensor("y", TensorType.Int32, BroadcastShape(shapeA, shapeB));
        mb.AddOperator(BuiltinOperator.Pow, [ta, tb], [ty]);
        mb.AddInput(ta);
        mb.AddInput(tb);
        mb.AddOutput(ty);
        return new BitExactCase($"Pow int32 {label}", mb.Build(), [a, b]);
    }
}
