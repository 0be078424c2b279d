using Accel.Building;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>
/// EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL (docs/numerics.md §Comparisons): IEEE comparisons with
/// NaN unordered and −0 == +0, int32/int64 edge values, bool operands, broadcasting up to rank 7, bool outputs of 0/1,
/// dtype errors; and the exact operators together through ModelBuilder → Interpreter.
/// </summary>
public sealed class ComparisonKernelTests
{
    public enum Op { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual }

    private static IKernel NewKernel(Op op) => op switch
    {
        Op.Equal => new EqualKernel(),
        Op.NotEqual => new NotEqualKernel(),
        Op.Less => new LessKernel(),
        Op.LessEqual => new LessEqualKernel(),
        Op.Greater => new GreaterKernel(),
        _ => new GreaterEqualKernel(),
    };

    private static string Name(Op op) => op switch
    {
        Op.Equal => "EQUAL",
        Op.NotEqual => "NOT_EQUAL",
        Op.Less => "LESS",
        Op.LessEqual => "LESS_EQUAL",
        Op.Greater => "GREATER",
        _ => "GREATER_EQUAL",
    };

    /// <summary>The comparison from <c>CompareTo</c>'s order (−0 and +0 equal), NaN unordered.</summary>
    private static byte Expected(Op op, double a, double b) =>
        double.IsNaN(a) || double.IsNaN(b) ? (byte)(op == Op.NotEqual ? 1 : 0) : FromOrder(op, a.CompareTo(b));

    private static byte ExpectedInt(Op op, long a, long b) => FromOrder(op, a.CompareTo(b));

    private static byte FromOrder(Op op, int order) => (op switch
    {
        Op.Equal => order == 0,
        Op.NotEqual => order != 0,
        Op.Less => order < 0,
        Op.LessEqual => order <= 0,
        Op.Greater => order > 0,
        _ => order >= 0,
    }) ? (byte)1 : (byte)0;

    /// <summary>Runs the comparison and checks that its output is a bool tensor of 0s and 1s.</summary>
    private static Tensor Run(Op op, ElementwiseTestHarness h, int a, int b)
    {
        var output = h.Run(NewKernel(op), Name(op), TensorType.Bool, a, b);
        Assert.That(output.Type, Is.EqualTo(TensorType.Bool));
        Assert.That(output.Read<byte>().ToArray(), Has.All.LessThanOrEqualTo((byte)1), "bool outputs are 0 or 1");
        return output;
    }

    [Test]
    public void Special_values_compare_as_ieee_754_with_nan_unordered([Values] Op op)
    {
        const float nan = float.NaN, inf = float.PositiveInfinity;
        float[] a = [nan, 1f, nan, -0f, 0f, -inf, inf, 1f, 2f, float.Epsilon, -float.Epsilon, float.MaxValue];
        float[] b = [1f, nan, nan, 0f, -0f, -inf, -inf, 2f, 1f, 0f, -0f, inf];
        using var h = new ElementwiseTestHarness();
        var output = Run(op, h, h.Input([12], a), h.Input([12], b));
        byte[] expected = op switch
        {
            //                 NaN,1  1,NaN NaN,NaN −0,+0 +0,−0 −∞,−∞ ∞,−∞  1,2  2,1  ε,0  −ε,−0 max,∞
            Op.Equal =>        [0,    0,    0,      1,    1,    1,    0,    0,   0,   0,   0,    0],
            Op.NotEqual =>     [1,    1,    1,      0,    0,    0,    1,    1,   1,   1,   1,    1],
            Op.Less =>         [0,    0,    0,      0,    0,    0,    0,    1,   0,   0,   1,    1],
            Op.LessEqual =>    [0,    0,    0,      1,    1,    1,    0,    1,   0,   0,   1,    1],
            Op.Greater =>      [0,    0,    0,      0,    0,    0,    1,    0,   1,   1,   0,    0],
            _ =>               [0,    0,    0,      1,    1,    1,    1,    0,   1,   1,   0,    0],
        };
        Assert.That(output.Read<byte>().ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Float_broadcast_cases_match_an_independent_broadcast([Values] Op op, [Range(0, 10)] int shapeCase)
    {
        var (shapeA, shapeB, shapeOut) = Elementwise.BroadcastCases[shapeCase];
        // Few distinct values, so that equal pairs occur often.
        float[] a = Elementwise.RandomWithSpecials(Elementwise.Count(shapeA), 50 + shapeCase).Select(v => MathF.Round(v)).ToArray();
        float[] b = Elementwise.RandomWithSpecials(Elementwise.Count(shapeB), 60 + shapeCase).Select(v => MathF.Round(v)).ToArray();
        using var h = new ElementwiseTestHarness();
        var output = Run(op, h, h.Input(shapeA, a), h.Input(shapeB, b));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(shapeOut));
        Assert.That(output.Read<byte>().ToArray(), Is.EqualTo(Elementwise.Broadcast(a, shapeA, b, shapeB, shapeOut, (x, y) => Expected(op, x, y))));
    }

    [Test]
    public void Int32_and_int64_broadcast_cases_match_an_independent_broadcast([Values] Op op, [Range(0, 10)] int shapeCase)
    {
        var (shapeA, shapeB, shapeOut) = Elementwise.BroadcastCases[shapeCase];
        var random = new Random(70 + shapeCase);
        int[] edges = [int.MinValue, int.MaxValue, 0, -1, 1, int.MinValue + 1, int.MaxValue - 1];
        int[] a = Enumerable.Range(0, Elementwise.Count(shapeA)).Select(_ => random.Next(3) == 0 ? edges[random.Next(edges.Length)] : random.Next(-2, 3)).ToArray();
        int[] b = Enumerable.Range(0, Elementwise.Count(shapeB)).Select(_ => random.Next(3) == 0 ? edges[random.Next(edges.Length)] : random.Next(-2, 3)).ToArray();
        using (var h = new ElementwiseTestHarness())
        {
            var output = Run(op, h, h.Input(shapeA, a), h.Input(shapeB, b));
            Assert.That(output.Read<byte>().ToArray(), Is.EqualTo(Elementwise.Broadcast(a, shapeA, b, shapeB, shapeOut, (x, y) => ExpectedInt(op, x, y))));
        }
        // int64 values that agree in their low 32 bits: a kernel truncating to int32 would call them equal.
        long[] a64 = a.Select(x => x == int.MinValue ? long.MinValue : x == int.MaxValue ? long.MaxValue : (long)x << 32 | 7).ToArray();
        long[] b64 = b.Select(x => x == int.MinValue ? long.MinValue : x == int.MaxValue ? long.MaxValue : (long)x << 32 | 7).ToArray();
        using (var h = new ElementwiseTestHarness())
        {
            var output = Run(op, h, h.Input(shapeA, a64), h.Input(shapeB, b64));
            Assert.That(output.Read<byte>().ToArray(), Is.EqualTo(Elementwise.Broadcast(a64, shapeA, b64, shapeB, shapeOut, (x, y) => ExpectedInt(op, x, y))));
        }
    }

    [Test]
    public void Int64_is_compared_on_all_64_bits()
    {
        long[] a = [1L << 32, (1L << 40) + 1, long.MinValue, -1];
        long[] b = [0, 1L << 40, long.MaxValue, long.MaxValue];
        using var h = new ElementwiseTestHarness();
        var less = Run(Op.Less, h, h.Input([4], a), h.Input([4], b));
        var equal = Run(Op.Equal, h, h.Input([4], a), h.Input([4], b));
        Assert.That(less.Read<byte>().ToArray(), Is.EqualTo(new byte[] { 0, 0, 1, 1 }));
        Assert.That(equal.Read<byte>().ToArray(), Is.EqualTo(new byte[] { 0, 0, 0, 0 }));
    }

    [Test]
    public void Equal_and_not_equal_on_bool_compare_truth_values()
    {
        byte[] a = [0, 0, 1, 1, 2, 255, 2];
        byte[] b = [0, 1, 0, 1, 1, 2, 0];
        using var h = new ElementwiseTestHarness();
        var equal = Run(Op.Equal, h, h.Input([7], a, TensorType.Bool), h.Input([7], b, TensorType.Bool));
        var notEqual = Run(Op.NotEqual, h, h.Input([7], a, TensorType.Bool), h.Input([7], b, TensorType.Bool));
        Assert.That(equal.Read<byte>().ToArray(), Is.EqualTo(new byte[] { 1, 0, 0, 1, 1, 1, 0 }));
        Assert.That(notEqual.Read<byte>().ToArray(), Is.EqualTo(new byte[] { 0, 1, 1, 0, 0, 0, 1 }));
    }

    [TestCase(Op.Less, TensorType.Bool), TestCase(Op.GreaterEqual, TensorType.Bool), TestCase(Op.Equal, TensorType.Int16)]
    [TestCase(Op.NotEqual, TensorType.Float16), TestCase(Op.Greater, TensorType.Float16), TestCase(Op.LessEqual, TensorType.Int16)]
    public void Other_dtypes_are_rejected_naming_the_node_and_the_tensor(Op op, TensorType type)
    {
        using var h = new ElementwiseTestHarness();
        int a = h.Input<byte>([2], new byte[2 * type.ElementSize()], type, name: "a");
        int b = h.Input<byte>([2], new byte[2 * type.ElementSize()], type, name: "b");
        int output = h.Output(TensorType.Bool);
        var e = Assert.Throws<KernelException>(() => DefinedPrepare.Run(NewKernel(op), h.Context(Name(op), null, [a, b], [output])));
        string supported = op is Op.Equal or Op.NotEqual ? "float32, int32, int64, int8, uint8 and bool" : "float32, int32, int64, int8 and uint8";
        Assert.That(e!.Message, Does.Contain($"node 0 ({Name(op)})").And.Contain("'a'").And.Contain(type.ToDisplayName()).And.Contain(supported));
    }

    [Test]
    public void The_output_must_be_bool_and_the_inputs_of_one_dtype([Values] Op op)
    {
        using var h = new ElementwiseTestHarness();
        int a = h.Input([2], 1f, 2f), b = h.Input([2], 3f, 4f), i = h.Input([2], new[] { 1, 2 });
        int floatOutput = h.Output(TensorType.Float32, "out"), boolOutput = h.Output(TensorType.Bool);
        var e1 = Assert.Throws<KernelException>(() => DefinedPrepare.Run(NewKernel(op), h.Context(Name(op), null, [a, b], [floatOutput])));
        Assert.That(e1!.Message, Does.Contain($"node 0 ({Name(op)})").And.Contain("output 'out' must be bool, is float32"));
        var e2 = Assert.Throws<KernelException>(() => DefinedPrepare.Run(NewKernel(op), h.Context(Name(op), null, [a, i], [boolOutput])));
        Assert.That(e2!.Message, Does.Contain("must be float32, is int32"));
        var e3 = Assert.Throws<KernelException>(() =>
            DefinedPrepare.Run(NewKernel(op), h.Context(Name(op), null, [h.Input([3], 1f, 2f, 3f), b], [boolOutput])));
        Assert.That(e3!.Message, Does.Contain("[3]").And.Contain("[2]").And.Contain("broadcast"));
    }

    [TestCase(BuiltinOperator.Equal, 5, true), TestCase(BuiltinOperator.NotEqual, 4, true)]
    [TestCase(BuiltinOperator.Less, 3, false), TestCase(BuiltinOperator.LessEqual, 2, false)]
    [TestCase(BuiltinOperator.Greater, 2, false), TestCase(BuiltinOperator.GreaterEqual, 3, false)]
    public void Definitions_declare_tflites_versions_and_dtypes_and_the_reference_kernel_runs_them(BuiltinOperator op, int maxVersion, bool withBool)
    {
        var definition = Accel.Operators.OpDefinitions.Get(op);
        TensorType[] types = withBool
            ? [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Bool]
            : [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8];
        Assert.That((definition.MinVersion, definition.MaxVersion), Is.EqualTo((1, maxVersion)));
        Assert.That(definition.Types, Is.EqualTo(types));
        foreach (var type in types)
            Assert.That(ReferenceKernels.Catalog.Covers(op, type).IsSupported, Is.True, $"{op} {type}");
    }

    [Test]
    public void Exact_operators_run_through_the_interpreter_as_the_kernels_do_directly()
    {
        float[] input = [.. Elementwise.SpecialFloats.Take(24), .. Elementwise.Random(24, 90, 3f)];
        float[] limits = [-1.5f, 0f, 0.5f, 2f];

        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [3, 4, 4]);
        int limitT = b.AddConstant("limits", [4], limits);
        int zero = b.AddConstant("zero", [], [0f]);
        int clipped = b.AddTensor("clipped", TensorType.Float32, [3, 4, 4]);
        int rounded = b.AddTensor("rounded", TensorType.Float32, [3, 4, 4]);
        int positive = b.AddTensor("positive", TensorType.Bool, [3, 4, 4]);
        int atLimit = b.AddTensor("at_limit", TensorType.Bool, [3, 4, 4]);
        int either = b.AddTensor("either", TensorType.Bool, [3, 4, 4]);
        int neither = b.AddTensor("neither", TensorType.Bool, [3, 4, 4]);
        b.AddOperator(BuiltinOperator.Minimum, [x, limitT], [clipped], null, version: 4);
        b.AddOperator(BuiltinOperator.Round, [clipped], [rounded]);
        b.AddOperator(BuiltinOperator.Greater, [x, zero], [positive], null, version: 2);
        b.AddOperator(BuiltinOperator.Equal, [rounded, limitT], [atLimit], null, version: 5);
        b.AddOperator(BuiltinOperator.LogicalOr, [positive, atLimit], [either]);
        b.AddOperator(BuiltinOperator.LogicalNot, [either], [neither]);
        b.AddInput(x);
        b.AddOutput(rounded);
        b.AddOutput(neither);

        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();

        using var h = new ElementwiseTestHarness();
        var t1 = h.Run(new MinimumKernel(), "MINIMUM", null, h.Input([3, 4, 4], input), h.Constant([4], limits));
        var t2 = h.Run(new RoundKernel(), "ROUND", null, h.Input([3, 4, 4], t1.Read<float>().ToArray()));
        var t3 = h.Run(new GreaterKernel(), "GREATER", TensorType.Bool, h.Input([3, 4, 4], input), h.Constant([], new[] { 0f }));
        var t4 = h.Run(new EqualKernel(), "EQUAL", TensorType.Bool, h.Input([3, 4, 4], t2.Read<float>().ToArray()), h.Constant([4], limits));
        var t5 = h.Run(new LogicalOrKernel(), "LOGICAL_OR", null,
            h.Input([3, 4, 4], t3.Read<byte>().ToArray(), TensorType.Bool), h.Input([3, 4, 4], t4.Read<byte>().ToArray(), TensorType.Bool));
        var t6 = h.Run(new LogicalNotKernel(), "LOGICAL_NOT", null, h.Input([3, 4, 4], t5.Read<byte>().ToArray(), TensorType.Bool));

        Elementwise.AssertSame(interpreter.Output<float>(0), t2.Read<float>().ToArray());
        Assert.That(interpreter.Output<byte>(1).ToArray(), Is.EqualTo(t6.Read<byte>().ToArray()));
        Assert.That(interpreter.GetOutputTensor(1).Type, Is.EqualTo(TensorType.Bool));
    }
}
