using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The typed element-wise operators (ABS … LOGICAL_OR, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, the comparisons) on every
/// dtype their definitions declare: float32, int32, int64 and bool (bytes, including non-canonical true bytes). Every
/// vector tail (lengths 1..17 and 33, one node each, in one model), every broadcast form of a row (both operands
/// walking, either one repeated, rank 0, outer-product rows, a repeated row), random broadcasts up to rank 5, each
/// operand order over the cross product of the special values, and large tensors split across the pool.
/// </summary>
public static partial class OpCases
{
    /// <summary>Vector lengths: every tail of the 4-, 8-, 16-lane (and 2-lane int64 Vector128) paths, and 33.</summary>
    public static readonly int[] Tails = [.. Enumerable.Range(1, 17), 33];

    public static readonly BuiltinOperator[] TypedUnaryOps =
    [
        BuiltinOperator.Abs, BuiltinOperator.Neg, BuiltinOperator.Floor, BuiltinOperator.Ceil, BuiltinOperator.Round,
        BuiltinOperator.Sign, BuiltinOperator.Square, BuiltinOperator.LogicalNot,
    ];

    public static readonly BuiltinOperator[] TypedBinaryOps =
    [
        BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference, BuiltinOperator.LogicalAnd,
        BuiltinOperator.LogicalOr, BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less,
        BuiltinOperator.LessEqual, BuiltinOperator.Greater, BuiltinOperator.GreaterEqual,
    ];

    private static readonly HashSet<BuiltinOperator> Comparisons =
    [
        BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less, BuiltinOperator.LessEqual,
        BuiltinOperator.Greater, BuiltinOperator.GreaterEqual,
    ];

    /// <summary>How a binary case's operands broadcast along its rows.</summary>
    public enum RowForm
    {
        /// <summary>[n] ⊕ [n]: both walk.</summary>
        Same,
        /// <summary>[n] ⊕ [1]: b repeated.</summary>
        ScalarB,
        /// <summary>[] ⊕ [n]: a rank-0 scalar repeated.</summary>
        ScalarA,
        /// <summary>[3,1] ⊕ [n]: rows of n with a repeated, b walking.</summary>
        OuterA,
        /// <summary>[n] ⊕ [3,1]: rows of n with a walking, b repeated.</summary>
        OuterB,
        /// <summary>[3,n] ⊕ [n]: both walk, b's row repeated for every row.</summary>
        RepeatedRow,
    }

    /// <summary>The dtypes the operator's definition declares (its inputs' dtype).</summary>
    /// <summary>
    /// The op's plain dtypes: int8/uint8/int16 are quantized types whose values need scales and zero points (the
    /// quantized cases of OpCases.Quantized* and the conformance cases cover them), not the typed element-wise cases.
    /// </summary>
    public static IReadOnlyList<TensorType> TypesOf(BuiltinOperator op) =>
        OpDefinitions.Get(op).Types.Where(t => t is not (TensorType.Int8 or TensorType.UInt8 or TensorType.Int16)).ToArray();

    private static TensorType OutputType(BuiltinOperator op, TensorType type) => Comparisons.Contains(op) ? TensorType.Bool : type;

    // ------------------------------------------------------------------------------------------------ values

    /// <summary>float32 values that matter to these ops: halves and their neighbours (ROUND), the int conversion edges, NaNs with payloads and a signalling NaN.</summary>
    public static readonly float[] TypedFloatSpecials =
    [
        .. Specials, 0.49999997f, -0.49999997f, 0.50000006f, -0.50000006f, 1.5f, -1.5f, 2.5f, -2.5f, 3.5f, -3.5f, -0.3f,
        -1e-30f, 4194303.5f, -4194304.5f, 8388607.5f, -8388607.5f, 8388608f, -8388609f, 16777216f, 2147483648f,
        -2147483904f, 3e9f, -3e9f, 46341f, 1e20f, 1.8446744e19f, 2f, -2f,
        BitConverter.Int32BitsToSingle(0x7FC12345), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)),
        BitConverter.Int32BitsToSingle(0x7F800001), BitConverter.Int32BitsToSingle(unchecked((int)0xFFBFFFFF)),
    ];

    /// <summary>Few distinct values, so that random operands often tie (±0 included).</summary>
    private static readonly float[] FloatTies = [0f, -0f, 1f, -1f, 0.5f, float.NaN, float.PositiveInfinity];

    public static readonly int[] Int32Specials =
    [
        0, 1, -1, 2, -2, 3, int.MinValue, int.MaxValue, int.MinValue + 1, int.MaxValue - 1, 46340, 46341, -46341,
        65535, 65536, -65536, 1 << 30, -(1 << 30),
    ];

    public static readonly long[] Int64Specials =
    [
        0, 1, -1, 2, -2, long.MinValue, long.MaxValue, long.MinValue + 1, long.MaxValue - 1, int.MaxValue, int.MinValue,
        (long)int.MaxValue + 1, (long)int.MinValue - 1, 1L << 32, (1L << 32) + 1, (1L << 32) - 1, -(1L << 32),
        -(1L << 32) + 1, 0x7FFFFFFF_00000000, unchecked((long)0x80000000_00000001), 0x00000001_80000000,
    ];

    /// <summary>bool bytes: mostly 0 and 1, and other nonzero bytes (all true).</summary>
    public static readonly byte[] BoolBytes = [0, 1, 0, 1, 0, 1, 2, 255, 128, 3];

    /// <summary>Random values of <paramref name="type"/> with specials, ties, halves and full-range values mixed in.</summary>
    public static Array TypedValues(TensorType type, Random random, int count)
    {
        switch (type)
        {
            case TensorType.Float32:
            {
                var v = new float[count];
                for (int i = 0; i < count; i++)
                    v[i] = random.Next(4) switch
                    {
                        0 => TypedFloatSpecials[random.Next(TypedFloatSpecials.Length)],
                        1 => FloatTies[random.Next(FloatTies.Length)],
                        2 => random.Next(-40, 41) / 2f, // halves: ROUND's ties
                        _ => (random.NextSingle() * 2f - 1f) * (random.Next(2) == 0 ? 4f : 1e6f),
                    };
                return v;
            }
            case TensorType.Int32:
            {
                var v = new int[count];
                for (int i = 0; i < count; i++)
                    v[i] = random.Next(4) switch
                    {
                        0 => Int32Specials[random.Next(Int32Specials.Length)],
                        1 => random.Next(-2, 3),
                        2 => random.Next(-100_000, 100_001),
                        _ => (int)random.NextInt64(int.MinValue, (long)int.MaxValue + 1),
                    };
                return v;
            }
            case TensorType.Int64:
            {
                var v = new long[count];
                for (int i = 0; i < count; i++)
                    v[i] = random.Next(4) switch
                    {
                        0 => Int64Specials[random.Next(Int64Specials.Length)],
                        1 => random.Next(-2, 3),
                        // Equal low halves, different high halves (and the reverse): only a 64-bit compare tells them apart.
                        2 => ((long)random.Next(-3, 4) << 32) | (uint)random.Next(0, 3),
                        _ => random.NextInt64(long.MinValue, long.MaxValue),
                    };
                return v;
            }
            case TensorType.Bool:
            {
                var v = new byte[count];
                for (int i = 0; i < count; i++) v[i] = BoolBytes[random.Next(BoolBytes.Length)];
                return v;
            }
            default:
                throw new NotSupportedException($"no values of {type}");
        }
    }

    /// <summary>
    /// b with about a quarter of its elements copied from a where the shapes match element for element, so that the
    /// ops meet exact ties (and, for float32, the same NaN on both sides).
    /// </summary>
    private static void Entangle(Array a, Array b, Random random)
    {
        if (a.Length != b.Length) return;
        for (int i = 0; i < a.Length; i++)
            if (random.Next(4) == 0) b.SetValue(a.GetValue(i), i);
    }

    private static byte[] Bytes(Array values) => values switch
    {
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()).ToArray(),
        int[] i => MemoryMarshal.AsBytes(i.AsSpan()).ToArray(),
        long[] l => MemoryMarshal.AsBytes(l.AsSpan()).ToArray(),
        byte[] b => (byte[])b.Clone(),
        _ => throw new NotSupportedException(values.GetType().Name),
    };

    private static string Dtype(TensorType type) => type.ToString().ToLowerInvariant();

    // ------------------------------------------------------------------------------------------------ unary

    /// <summary>One node per tail length (and an empty tensor and a rank-0 scalar), in one model.</summary>
    public static BitExactCase TypedUnaryTails(BuiltinOperator op, TensorType type, Random random)
    {
        var mb = new ModelBuilder();
        var inputs = new List<Array>();
        var shapes = Tails.Select(n => new[] { n }).Append([]).Append([2, 0]).ToArray();
        foreach (int[] shape in shapes)
        {
            string tag = Shape(shape);
            int x = mb.AddTensor("x" + tag, type, shape);
            int y = mb.AddTensor("y" + tag, type, shape);
            mb.AddOperator(op, [x], [y]);
            mb.AddInput(x);
            mb.AddOutput(y);
            inputs.Add(TypedValues(type, random, Count(shape)));
        }
        return new BitExactCase($"{op} {Dtype(type)} tails 1..17, 33, rank 0, empty", mb.Build(), inputs.ToArray());
    }

    /// <summary>Every special value of the dtype (float32: and its bit neighbours) through a unary op, in one tensor.</summary>
    public static BitExactCase TypedUnarySpecials(BuiltinOperator op, TensorType type)
    {
        Array x = type switch
        {
            TensorType.Float32 => TypedFloatSpecials
                .SelectMany(s => Enumerable.Range(-2, 5).Select(d => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(s) + d)))
                .ToArray(),
            TensorType.Int32 => Int32Specials.SelectMany(s => new[] { s, unchecked(s + 1), unchecked(s - 1) }).ToArray(),
            TensorType.Int64 => Int64Specials.SelectMany(s => new[] { s, unchecked(s + 1), unchecked(s - 1) }).ToArray(),
            _ => Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(),
        };
        int[] shape = [x.Length];
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", type, shape);
        int to = mb.AddTensor("y", type, shape);
        mb.AddOperator(op, [ti], [to]);
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"{op} {Dtype(type)} specials ×{x.Length}", mb.Build(), [x]);
    }

    /// <summary>A unary op on a random shape up to rank 4 (large: split across the pool).</summary>
    public static BitExactCase TypedUnary(BuiltinOperator op, TensorType type, Random random, bool large = false)
    {
        int[] shape = large ? [1, 211, 307, 5] : random.Next(3) switch
        {
            0 => [random.Next(1, 300)],
            1 => [1, Odd(random, 9), Odd(random, 9), Channel(random)],
            _ => [random.Next(1, 4), Channel(random)],
        };
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", type, shape);
        int to = mb.AddTensor("y", type, shape);
        mb.AddOperator(op, [ti], [to]);
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"{op} {Dtype(type)} {Shape(shape)}", mb.Build(), [TypedValues(type, random, Count(shape))]);
    }

    // ------------------------------------------------------------------------------------------------ binary

    private static (int[] A, int[] B) RowShapes(RowForm form, int n) => form switch
    {
        RowForm.Same => ([n], [n]),
        RowForm.ScalarB => ([n], [1]),
        RowForm.ScalarA => ([], [n]),
        RowForm.OuterA => ([3, 1], [n]),
        RowForm.OuterB => ([n], [3, 1]),
        _ => ([3, n], [n]),
    };

    /// <summary>One node per tail length with operands in <paramref name="form"/>, in one model.</summary>
    public static BitExactCase TypedBinaryTails(BuiltinOperator op, TensorType type, RowForm form, Random random)
    {
        var mb = new ModelBuilder();
        var inputs = new List<Array>();
        foreach (int n in Tails)
        {
            var (a, b) = RowShapes(form, n);
            int[] output = BroadcastShape(a, b);
            int ta = mb.AddTensor($"a{n}", type, a);
            int tb = mb.AddTensor($"b{n}", type, b);
            int to = mb.AddTensor($"y{n}", OutputType(op, type), output);
            mb.AddOperator(op, [ta, tb], [to]);
            mb.AddInput(ta);
            mb.AddInput(tb);
            mb.AddOutput(to);
            Array av = TypedValues(type, random, Count(a)), bv = TypedValues(type, random, Count(b));
            Entangle(av, bv, random);
            inputs.Add(av);
            inputs.Add(bv);
        }
        string shapes = form switch
        {
            RowForm.Same => "[n] ⊕ [n]",
            RowForm.ScalarB => "[n] ⊕ [1]",
            RowForm.ScalarA => "[] ⊕ [n]",
            RowForm.OuterA => "[3,1] ⊕ [n]",
            RowForm.OuterB => "[n] ⊕ [3,1]",
            _ => "[3,n] ⊕ [n]",
        };
        return new BitExactCase($"{op} {Dtype(type)} {form} {shapes} for n = 1..17, 33", mb.Build(), inputs.ToArray());
    }

    /// <summary>Every ordered pair of the dtype's special values (a = row value, b = column value), both orders, one tensor.</summary>
    public static BitExactCase TypedBinarySpecials(BuiltinOperator op, TensorType type)
    {
        Array specials = type switch
        {
            TensorType.Float32 => TypedFloatSpecials,
            TensorType.Int32 => Int32Specials,
            TensorType.Int64 => Int64Specials,
            _ => new byte[] { 0, 1, 2, 255, 128 },
        };
        int k = specials.Length;
        int[] shape = [k, k];
        Array a = Array.CreateInstance(specials.GetType().GetElementType()!, k * k), b = Array.CreateInstance(specials.GetType().GetElementType()!, k * k);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                a.SetValue(specials.GetValue(i), i * k + j);
                b.SetValue(specials.GetValue(j), i * k + j);
            }
        var mb = new ModelBuilder();
        int ta = mb.AddTensor("a", type, shape);
        int tb = mb.AddTensor("b", type, shape);
        int to = mb.AddTensor("y", OutputType(op, type), shape);
        mb.AddOperator(op, [ta, tb], [to]);
        mb.AddInput(ta);
        mb.AddInput(tb);
        mb.AddOutput(to);
        return new BitExactCase($"{op} {Dtype(type)} specials {k}×{k}", mb.Build(), [a, b]);
    }

    /// <summary>A random broadcast up to rank 5 (or none), an operand sometimes constant (large: split across the pool).</summary>
    public static BitExactCase TypedBinary(BuiltinOperator op, TensorType type, Random random, bool large = false)
    {
        int rank = large ? 3 : random.Next(1, 6);
        var outShape = new int[rank];
        for (int d = 0; d < rank; d++) outShape[d] = d == rank - 1 ? Channel(random) : random.Next(1, 6);
        if (large) (outShape[0], outShape[1], outShape[2]) = (3, 211, 331);
        int[] a = Broadcastable(random, outShape), b = Broadcastable(random, outShape);
        if (random.Next(3) == 0) a = (int[])outShape.Clone();
        else if (random.Next(2) == 0) b = (int[])outShape.Clone();
        if (large && random.Next(2) == 0) (a, b) = ([3, 1, 331], [211, 1]);
        int[] output = BroadcastShape(a, b);
        bool constantB = random.Next(4) == 0;
        Array av = TypedValues(type, random, Count(a)), bv = TypedValues(type, random, Count(b));
        Entangle(av, bv, random);
        var mb = new ModelBuilder();
        int ta = mb.AddTensor("a", type, a);
        int tb = constantB ? mb.AddConstant("b", type, b, Bytes(bv)) : mb.AddTensor("b", type, b);
        int to = mb.AddTensor("y", OutputType(op, type), output);
        mb.AddOperator(op, [ta, tb], [to]);
        mb.AddInput(ta);
        if (!constantB) mb.AddInput(tb);
        mb.AddOutput(to);
        return new BitExactCase($"{op} {Dtype(type)} {Shape(a)} ⊕ {Shape(b)}{(constantB ? " const" : "")} → {Shape(output)}", mb.Build(),
            constantB ? [av] : [av, bv]);
    }

    /// <summary>
    /// Every typed element-wise case the IsaRunner child and the NUnit tests run: per operator and declared dtype, the
    /// tails (unary; binary in every <see cref="RowForm"/>), the specials and <paramref name="randomCases"/> random shapes.
    /// </summary>
    public static IEnumerable<BitExactCase> TypedElementwiseCases(Random random, int randomCases)
    {
        foreach (var op in TypedUnaryOps)
            foreach (var type in TypesOf(op))
            {
                yield return TypedUnaryTails(op, type, random);
                yield return TypedUnarySpecials(op, type);
                for (int i = 0; i < randomCases; i++) yield return TypedUnary(op, type, random);
            }
        foreach (var op in TypedBinaryOps)
            foreach (var type in TypesOf(op))
            {
                foreach (var form in Enum.GetValues<RowForm>()) yield return TypedBinaryTails(op, type, form, random);
                yield return TypedBinarySpecials(op, type);
                for (int i = 0; i < randomCases; i++) yield return TypedBinary(op, type, random);
            }
    }
}
