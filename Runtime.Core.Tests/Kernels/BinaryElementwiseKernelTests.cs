using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, LOGICAL_AND and LOGICAL_OR (docs/numerics.md): NumPy broadcasting up to rank 7
/// against an independent broadcast, TFLite's operand-order NaN and ±0 rules, int edge values, dtype errors.
/// </summary>
public sealed class BinaryElementwiseKernelTests
{
    public enum Op { Maximum, Minimum, SquaredDifference }

    private static IKernel NewKernel(Op op) => op switch
    {
        Op.Maximum => new MaximumKernel(),
        Op.Minimum => new MinimumKernel(),
        _ => new SquaredDifferenceKernel(),
    };

    private static string Name(Op op) => op switch
    {
        Op.Maximum => "MAXIMUM",
        Op.Minimum => "MINIMUM",
        _ => "SQUARED_DIFFERENCE",
    };

    /// <summary>
    /// The expected float result, stated differently from the kernels: MAXIMUM/MINIMUM return the second operand
    /// unless the first is strictly larger/smaller (any NaN in either makes that false); SQUARED_DIFFERENCE rounds the
    /// exact double difference once and the exact double square once.
    /// </summary>
    private static float Expected(Op op, float a, float b)
    {
        switch (op)
        {
            case Op.Maximum:
                return !float.IsNaN(a) && !float.IsNaN(b) && (double)a > b ? a : b;
            case Op.Minimum:
                return !float.IsNaN(a) && !float.IsNaN(b) && (double)a < b ? a : b;
            default:
                float d = (float)((double)a - b);
                return (float)((double)d * d);
        }
    }

    [Test]
    public void Float_broadcast_cases_match_an_independent_broadcast([Values] Op op, [Range(0, 10)] int shapeCase)
    {
        var (shapeA, shapeB, shapeOut) = Elementwise.BroadcastCases[shapeCase];
        float[] a = Elementwise.RandomWithSpecials(Elementwise.Count(shapeA), 30 + shapeCase);
        float[] b = Elementwise.RandomWithSpecials(Elementwise.Count(shapeB), 40 + shapeCase);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(NewKernel(op), Name(op), null, h.Input(shapeA, a), h.Input(shapeB, b));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(shapeOut));
        Assert.That(output.Type, Is.EqualTo(TensorType.Float32));
        Elementwise.AssertSame(output.Read<float>(), Elementwise.Broadcast(a, shapeA, b, shapeB, shapeOut, (x, y) => Expected(op, x, y)));
    }

    [Test]
    public void Int32_and_int64_broadcast_cases_match_an_independent_broadcast([Values(Op.Maximum, Op.Minimum)] Op op, [Range(0, 10)] int shapeCase)
    {
        var (shapeA, shapeB, shapeOut) = Elementwise.BroadcastCases[shapeCase];
        var random = new Random(shapeCase);
        int[] edges = [int.MinValue, int.MaxValue, 0, -1, 1];
        int[] a = Enumerable.Range(0, Elementwise.Count(shapeA)).Select(i => i % 5 == 0 ? edges[i / 5 % 5] : random.Next(-100, 100)).ToArray();
        int[] b = Enumerable.Range(0, Elementwise.Count(shapeB)).Select(i => i % 3 == 0 ? edges[i / 3 % 5] : random.Next(-100, 100)).ToArray();
        Func<long, long, long> f = op == Op.Maximum ? Math.Max : Math.Min;
        using (var h = new ElementwiseTestHarness())
        {
            var output = h.Run(NewKernel(op), Name(op), null, h.Input(shapeA, a), h.Input(shapeB, b));
            Assert.That(output.Read<int>().ToArray(), Is.EqualTo(Elementwise.Broadcast(a, shapeA, b, shapeB, shapeOut, (x, y) => (int)f(x, y))));
        }
        long[] a64 = a.Select(x => (long)x << 20).ToArray();
        long[] b64 = b.Select(x => x == int.MinValue ? long.MinValue : x == int.MaxValue ? long.MaxValue : (long)x << 20).ToArray();
        using (var h = new ElementwiseTestHarness())
        {
            var output = h.Run(NewKernel(op), Name(op), null, h.Input(shapeA, a64), h.Input(shapeB, b64));
            Assert.That(output.Type, Is.EqualTo(TensorType.Int64));
            Assert.That(output.Read<long>().ToArray(), Is.EqualTo(Elementwise.Broadcast(a64, shapeA, b64, shapeB, shapeOut, f)));
        }
    }

    [Test]
    public void Maximum_and_minimum_return_the_second_operand_unless_the_first_is_strictly_beyond_it()
    {
        const float nan = float.NaN, inf = float.PositiveInfinity;
        float[] a = [nan, 1f, -0f, 0f, -inf, inf, nan, 2f, 3f, -0f];
        float[] b = [1f, nan, 0f, -0f, 3f, nan, nan, 2f, -inf, -0f];
        using var h = new ElementwiseTestHarness();
        var max = h.Run(new MaximumKernel(), "MAXIMUM", null, h.Input([10], a), h.Input([10], b));
        var min = h.Run(new MinimumKernel(), "MINIMUM", null, h.Input([10], a), h.Input([10], b));
        // TFLite's MaximumOp el1 > el2 ? el1 : el2 and MinimumOp el1 < el2 ? el1 : el2: NaN only propagates from the
        // second operand, and between −0 and +0 the second wins.
        Elementwise.AssertSame(max.Read<float>(), [1f, nan, 0f, -0f, 3f, nan, nan, 2f, 3f, -0f]);
        Elementwise.AssertSame(min.Read<float>(), [1f, nan, 0f, -0f, -inf, nan, nan, 2f, -inf, -0f]);
    }

    [Test]
    public void Squared_difference_rounds_the_difference_and_then_the_square()
    {
        const float inf = float.PositiveInfinity;
        // 1 − (−2⁻²⁴) = 1 + 2⁻²⁴ rounds (tie to even) to 1 before squaring, where the exact square of the exact
        // difference, 1 + 2⁻²³ + 2⁻⁴⁸, would round to 1 + 2⁻²³; 4097² = 16785409 rounds (tie to even) to 16785408.
        float[] a = [1f, 3f, -0f, inf, inf, 1e20f, 1e-23f, float.NaN, 4097f];
        float[] b = [-5.9604645e-8f, -4f, 0f, inf, -inf, -1e20f, 0f, 0f, 0f];
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new SquaredDifferenceKernel(), "SQUARED_DIFFERENCE", null, h.Input([9], a), h.Input([9], b));
        Elementwise.AssertSame(output.Read<float>(), [1f, 49f, 0f, float.NaN, inf, inf, 0f, float.NaN, 16785408f]);
    }

    [Test]
    public void Squared_difference_int32_wraps_both_operations()
    {
        int[] a = [3, int.MaxValue, 46341, 100_000, int.MinValue, -7];
        int[] b = [-4, -1, 0, 0, 0, int.MinValue];
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new SquaredDifferenceKernel(), "SQUARED_DIFFERENCE", null, h.Input([6], a), h.Input([6], b));
        int[] expected = a.Zip(b, (x, y) => (int)(uint)(ulong)(((long)x - y) * ((long)x - y))).ToArray();
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(expected));
        Assert.That(expected[1], Is.EqualTo(0), "(MaxValue − (−1)) wraps to MinValue, whose square wraps to 0");
        Assert.That(expected[2], Is.LessThan(0), "46341² > 2³¹ − 1 wraps negative");
    }

    [Test]
    public void Logical_and_and_or_broadcast_with_any_nonzero_byte_true([Range(0, 10)] int shapeCase)
    {
        var (shapeA, shapeB, shapeOut) = Elementwise.BroadcastCases[shapeCase];
        var random = new Random(shapeCase);
        byte[] truth = [0, 1, 2, 255];
        byte[] a = Enumerable.Range(0, Elementwise.Count(shapeA)).Select(_ => truth[random.Next(4)]).ToArray();
        byte[] b = Enumerable.Range(0, Elementwise.Count(shapeB)).Select(_ => truth[random.Next(4)]).ToArray();
        foreach (var (kernel, name, f) in new (IKernel, string, Func<byte, byte, byte>)[]
                 {
                     (new LogicalAndKernel(), "LOGICAL_AND", (x, y) => (byte)(x != 0 && y != 0 ? 1 : 0)),
                     (new LogicalOrKernel(), "LOGICAL_OR", (x, y) => (byte)(x != 0 || y != 0 ? 1 : 0)),
                 })
        {
            using var h = new ElementwiseTestHarness();
            var output = h.Run(kernel, name, null, h.Input(shapeA, a, TensorType.Bool), h.Input(shapeB, b, TensorType.Bool));
            Assert.That(output.Type, Is.EqualTo(TensorType.Bool));
            Assert.That(output.Shape.ToArray(), Is.EqualTo(shapeOut));
            Assert.That(output.Read<byte>().ToArray(), Is.EqualTo(Elementwise.Broadcast(a, shapeA, b, shapeB, shapeOut, f)), name);
        }
    }

    [Test]
    public void Logical_truth_tables()
    {
        using var h = new ElementwiseTestHarness();
        int a = h.Input([4], new byte[] { 0, 0, 1, 1 }, TensorType.Bool);
        int b = h.Input([4], new byte[] { 0, 1, 0, 1 }, TensorType.Bool);
        Assert.That(h.Run(new LogicalAndKernel(), "LOGICAL_AND", null, a, b).Read<byte>().ToArray(), Is.EqualTo(new byte[] { 0, 0, 0, 1 }));
        Assert.That(h.Run(new LogicalOrKernel(), "LOGICAL_OR", null, a, b).Read<byte>().ToArray(), Is.EqualTo(new byte[] { 0, 1, 1, 1 }));
    }

    [TestCase("MAXIMUM", TensorType.Bool, "float32, int32, int64, int8, uint8 and int16")]
    [TestCase("MINIMUM", TensorType.Bool, "float32, int32, int64, int8, uint8 and int16")]
    [TestCase("SQUARED_DIFFERENCE", TensorType.Int64, "float32, int32 and int8")]
    [TestCase("LOGICAL_AND", TensorType.Float32, "bool")]
    [TestCase("LOGICAL_OR", TensorType.Int32, "bool")]
    public void Other_dtypes_are_rejected_naming_the_node_the_tensor_and_the_dtypes(string name, TensorType type, string supported)
    {
        using var h = new ElementwiseTestHarness();
        int a = h.Input<byte>([2], new byte[2 * type.ElementSize()], type, name: "a");
        int b = h.Input<byte>([2], new byte[2 * type.ElementSize()], type, name: "b");
        var e = Assert.Throws<KernelException>(() => h.Prepare(NewKernel(name), name, null, a, b));
        Assert.That(e!.Message, Does.Contain($"node 0 ({name})").And.Contain("'a'").And.Contain(type.ToDisplayName()).And.Contain(supported));
    }

    [TestCase("MAXIMUM"), TestCase("MINIMUM"), TestCase("SQUARED_DIFFERENCE")]
    public void Mixed_dtypes_a_wrong_output_dtype_and_unbroadcastable_shapes_are_rejected(string name)
    {
        using var h = new ElementwiseTestHarness();
        var mixed = Assert.Throws<KernelException>(() => h.Prepare(NewKernel(name), name, null, h.Input([2], 1f, 2f), h.Input([2], new[] { 1, 2 })));
        Assert.That(mixed!.Message, Does.Contain($"node 0 ({name})").And.Contain("must be float32, is int32"));

        int x = h.Input([2], 1f, 2f), y = h.Input([2], 3f, 4f), output = h.Output(TensorType.Bool, "out");
        var wrongOutput = Assert.Throws<KernelException>(() => DefinedPrepare.Run(NewKernel(name), h.Context(name, null, [x, y], [output])));
        Assert.That(wrongOutput!.Message, Does.Contain("output 'out' must be float32, is bool"));

        var shapes = Assert.Throws<KernelException>(() => h.Prepare(NewKernel(name), name, null, h.Input([2, 3], new float[6]), h.Input([2], 1f, 2f)));
        Assert.That(shapes!.Message, Does.Contain($"node 0 ({name})").And.Contain("[2,3]").And.Contain("broadcast"));
    }

    [Test]
    public void A_third_input_is_rejected()
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() =>
            h.Prepare(new MaximumKernel(), "MAXIMUM", null, h.Input([1], 1f), h.Input([1], 2f), h.Input([1], 3f)));
        Assert.That(e!.Message, Does.Contain("node 0 (MAXIMUM)").And.Contain("expects 2 inputs, has 3"));
    }

    [TestCase(BuiltinOperator.Maximum, 4, new[] { TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16 })]
    [TestCase(BuiltinOperator.Minimum, 4, new[] { TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16 })]
    [TestCase(BuiltinOperator.SquaredDifference, 2, new[] { TensorType.Float32, TensorType.Int32, TensorType.Int8 })]
    [TestCase(BuiltinOperator.LogicalAnd, 1, new[] { TensorType.Bool })]
    [TestCase(BuiltinOperator.LogicalOr, 1, new[] { TensorType.Bool })]
    public void Definitions_declare_tflites_versions_and_dtypes_and_the_reference_kernel_runs_them(
        BuiltinOperator op, int maxVersion, TensorType[] types)
    {
        var definition = Accel.Operators.OpDefinitions.Get(op);
        Assert.That((definition.MinVersion, definition.MaxVersion), Is.EqualTo((1, maxVersion)));
        Assert.That(definition.Types, Is.EqualTo(types));
        foreach (var type in types)
            Assert.That(ReferenceKernels.Catalog.Covers(op, type).IsSupported, Is.True, $"{op} {type}");
    }

    [Test]
    public void Cost_is_one_element_op_per_output_element()
    {
        using var h = new ElementwiseTestHarness();
        int a = h.Input([2, 1, 4], Elementwise.Random(8, 1));
        int b = h.Input([3, 1], Elementwise.Random(3, 2));
        int y = h.Output();
        var context = h.Context("MINIMUM", null, [a, b], [y]);
        DefinedPrepare.Run(new MinimumKernel(), context);
        var cost = context.ParamsAs<BinaryElementwiseParams>().Cost;
        Assert.That((cost.Macs, cost.ElementOps, cost.BytesMoved), Is.EqualTo((0L, 24L, (8L + 3 + 24) * 4)));
    }

    private static IKernel NewKernel(string name) => name switch
    {
        "MAXIMUM" => new MaximumKernel(),
        "MINIMUM" => new MinimumKernel(),
        "SQUARED_DIFFERENCE" => new SquaredDifferenceKernel(),
        "LOGICAL_AND" => new LogicalAndKernel(),
        "LOGICAL_OR" => new LogicalOrKernel(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
