using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// ABS, NEG, FLOOR, CEIL, ROUND, SIGN, SQUARE and LOGICAL_NOT (docs/numerics.md §Exact unary operators): every result
/// against an independent expectation (double arithmetic, bit operations, explicit tables), special values, int edge
/// values, shapes, and dtype errors naming the node.
/// </summary>
public sealed class ExactUnaryKernelTests
{
    private static float[] Inputs(int seed) => [.. Elementwise.SpecialFloats, .. Elementwise.Random(400, seed, 20f)];

    private static float[] Run(IKernel kernel, string name, float[] input)
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(kernel, name, null, h.Input([input.Length], input));
        Assert.That(output.Type, Is.EqualTo(TensorType.Float32));
        return output.Read<float>().ToArray();
    }

    private static T[] Run<T>(IKernel kernel, string name, T[] input) where T : unmanaged
    {
        using var h = new ElementwiseTestHarness();
        return h.Run(kernel, name, null, h.Input([input.Length], input)).Read<T>().ToArray();
    }

    private static float Bits(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    [Test]
    public void Abs_float_clears_the_sign_bit()
    {
        float[] input = Inputs(1);
        Elementwise.AssertSame(Run(new AbsKernel(), "ABS", input),
            input.Select(x => Bits(BitConverter.SingleToUInt32Bits(x) & 0x7FFF_FFFFu)).ToArray(), input);
    }

    [Test]
    public void Abs_int32_wraps_min_value_as_std_abs_does()
    {
        int[] input = [0, 1, -1, 7, -7, int.MaxValue, -int.MaxValue, int.MinValue, int.MinValue + 1];
        Assert.That(Run(new AbsKernel(), "ABS", input),
            Is.EqualTo(new[] { 0, 1, 1, 7, 7, int.MaxValue, int.MaxValue, int.MinValue, int.MaxValue }));
    }

    [Test]
    public void Neg_float_flips_the_sign_bit()
    {
        float[] input = Inputs(2);
        float[] actual = Run(new NegKernel(), "NEG", input);
        Elementwise.AssertSame(actual, input.Select(x => Bits(BitConverter.SingleToUInt32Bits(x) ^ 0x8000_0000u)).ToArray(), input);
        Assert.That(BitConverter.SingleToUInt32Bits(actual[3]), Is.EqualTo(0x8000_0000u), "−(+0) = −0");
    }

    [Test]
    public void Neg_int32_and_int64_wrap_min_value()
    {
        Assert.That(Run(new NegKernel(), "NEG", new[] { 0, 5, -5, int.MaxValue, int.MinValue }),
            Is.EqualTo(new[] { 0, -5, 5, -int.MaxValue, int.MinValue }));
        Assert.That(Run(new NegKernel(), "NEG", new[] { 0L, 5L, -(1L << 40), long.MaxValue, long.MinValue }),
            Is.EqualTo(new[] { 0L, -5L, 1L << 40, -long.MaxValue, long.MinValue }));
    }

    [Test]
    public void Floor_and_ceil_are_exact_and_keep_signed_zeros()
    {
        float[] input = Inputs(3);
        // Math.Floor/Ceiling on the exact double value: an integer that converts back to float exactly.
        Elementwise.AssertSame(Run(new FloorKernel(), "FLOOR", input), input.Select(x => (float)Math.Floor((double)x)).ToArray(), input);
        Elementwise.AssertSame(Run(new CeilKernel(), "CEIL", input), input.Select(x => (float)Math.Ceiling((double)x)).ToArray(), input);

        float[] edges = [-0f, 0f, -0.5f, 0.5f, -float.Epsilon, float.Epsilon];
        Elementwise.AssertSame(Run(new FloorKernel(), "FLOOR", edges), [-0f, 0f, -1f, 0f, -1f, 0f]);
        Elementwise.AssertSame(Run(new CeilKernel(), "CEIL", edges), [-0f, 0f, -0f, 1f, -0f, 1f]);
    }

    [Test]
    public void Round_is_half_to_even_with_tflites_positive_zero_for_small_negatives()
    {
        (float In, float Out)[] table =
        [
            (0.5f, 0f), (1.5f, 2f), (2.5f, 2f), (3.5f, 4f), (-1.5f, -2f), (-2.5f, -2f), (-3.5f, -4f),
            (-0.5f, 0f), (-0.3f, 0f), (-0.49999997f, 0f), (-float.Epsilon, 0f), // floor −1, then −1 + 1 = +0
            (-0f, -0f), (0f, 0f), (0.3f, 0f), (0.49999997f, 0f), (0.50000006f, 1f), (-0.50000006f, -1f),
            (-0.7f, -1f), (0.7f, 1f), (8388607.5f, 8388608f), (8388606.5f, 8388606f), (-8388607.5f, -8388608f),
            (16777217f, 16777216f), (1e10f, 1e10f), (-1e10f, -1e10f), (float.MaxValue, float.MaxValue),
            (float.PositiveInfinity, float.PositiveInfinity), (float.NegativeInfinity, float.NegativeInfinity),
            (float.NaN, float.NaN),
        ];
        float[] input = table.Select(t => t.In).ToArray();
        Elementwise.AssertSame(Run(new RoundKernel(), "ROUND", input), table.Select(t => t.Out).ToArray(), input);
    }

    [Test]
    public void Round_matches_round_half_to_even_on_random_values()
    {
        float[] input = [.. Inputs(4), .. Enumerable.Range(-40, 81).Select(i => i * 0.25f)];
        // Independent: .NET's half-to-even rounding in double, except that TFLite's floor-based sequence gives +0
        // wherever the rounded value is zero, unless the input is −0 itself.
        float[] expected = input.Select(x =>
        {
            if (!float.IsFinite(x)) return x;
            double r = Math.Round((double)x, MidpointRounding.ToEven);
            if (r == 0) return BitConverter.SingleToUInt32Bits(x) == 0x8000_0000u ? -0f : 0f;
            return (float)r;
        }).ToArray();
        Elementwise.AssertSame(Run(new RoundKernel(), "ROUND", input), expected, input);
    }

    [Test]
    public void Sign_of_nan_and_of_both_zeros_is_positive_zero()
    {
        float[] input = Inputs(5);
        float[] expected = input.Select(x => x > 0 ? 1f : x < 0 ? -1f : 0f).ToArray();
        float[] actual = Run(new SignKernel(), "SIGN", input);
        Elementwise.AssertSame(actual, expected, input);
        Assert.Multiple(() =>
        {
            Assert.That(BitConverter.SingleToUInt32Bits(actual[0]), Is.EqualTo(0u), "sign(NaN) = +0 (TFLite's sign.cc)");
            Assert.That(BitConverter.SingleToUInt32Bits(actual[4]), Is.EqualTo(0u), "sign(−0) = +0");
            Assert.That(actual[5], Is.EqualTo(1f), "sign(smallest subnormal)");
            Assert.That(actual[6], Is.EqualTo(-1f), "sign(−smallest subnormal)");
        });
    }

    [Test]
    public void Sign_int32()
    {
        Assert.That(Run(new SignKernel(), "SIGN", new[] { 0, 3, -3, int.MaxValue, int.MinValue }),
            Is.EqualTo(new[] { 0, 1, -1, 1, -1 }));
    }

    [Test]
    public void Square_is_one_rounded_product()
    {
        float[] input = [.. Inputs(6), 1.8446743e19f, 1.8446744e19f, 1e-23f, 1e-22f, 3.4e-20f];
        // The double product of two floats is exact; converting it rounds once, including to subnormals and +∞.
        Elementwise.AssertSame(Run(new SquareKernel(), "SQUARE", input), input.Select(x => (float)((double)x * x)).ToArray(), input);
        float[] edges = Run(new SquareKernel(), "SQUARE", [-0f, 2e19f, 1e-23f]);
        Elementwise.AssertSame(edges, [0f, float.PositiveInfinity, 0f]);
    }

    [Test]
    public void Logical_not_reads_any_nonzero_byte_as_true_and_writes_zero_or_one()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new LogicalNotKernel(), "LOGICAL_NOT", null,
            h.Input([2, 3], new byte[] { 0, 1, 2, 255, 0, 1 }, TensorType.Bool));
        Assert.That(output.Type, Is.EqualTo(TensorType.Bool));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(output.Read<byte>().ToArray(), Is.EqualTo(new byte[] { 1, 0, 0, 0, 1, 0 }));
    }

    [TestCase("ABS"), TestCase("NEG"), TestCase("FLOOR"), TestCase("CEIL"), TestCase("ROUND"), TestCase("SIGN"), TestCase("SQUARE")]
    public void Shapes_of_any_rank_scalars_and_empty_tensors_are_kept(string name)
    {
        int[][] shapes = [[2, 1, 3, 1, 2, 2], [], [0, 3], [5]];
        foreach (int[] shape in shapes)
        {
            using var h = new ElementwiseTestHarness();
            var output = h.Run(NewKernel(name), name, null, h.Input(shape, Elementwise.Random(Elementwise.Count(shape), 7)));
            Assert.That(output.Shape.ToArray(), Is.EqualTo(shape), $"{name} [{string.Join(",", shape)}]");
        }
    }

    [TestCase("ABS", TensorType.Int64, "float32, int32, int8 and int16")]
    [TestCase("NEG", TensorType.Int8, "float32, int32 and int64")]
    [TestCase("FLOOR", TensorType.Int32, "float32")]
    [TestCase("CEIL", TensorType.Int32, "float32")]
    [TestCase("ROUND", TensorType.Int32, "float32")]
    [TestCase("SIGN", TensorType.Int64, "float32 and int32")]
    [TestCase("SQUARE", TensorType.Int32, "float32")]
    [TestCase("LOGICAL_NOT", TensorType.Float32, "bool")]
    public void Other_dtypes_are_rejected_naming_the_node_the_tensor_and_the_dtypes(string name, TensorType type, string supported)
    {
        using var h = new ElementwiseTestHarness();
        int input = h.Input<byte>([2], new byte[2 * type.ElementSize()], type, name: "x");
        var e = Assert.Throws<KernelException>(() => h.Prepare(NewKernel(name), name, null, input));
        Assert.That(e!.Message, Does.Contain($"node 0 ({name})").And.Contain("'x'").And.Contain(type.ToDisplayName())
            .And.Contain(supported));
        Assert.That(e.OperatorName, Is.EqualTo(name));
    }

    [Test]
    public void An_output_dtype_other_than_the_inputs_is_rejected()
    {
        using var h = new ElementwiseTestHarness();
        int x = h.Input([2], 1f, -1f);
        int y = h.Output(TensorType.Int32, "y");
        var e = Assert.Throws<KernelException>(() => DefinedPrepare.Run(new AbsKernel(), h.Context("ABS", null, [x], [y])));
        Assert.That(e!.Message, Does.Contain("node 0 (ABS)").And.Contain("output 'y' must be float32, is int32"));
    }

    [Test]
    public void A_second_input_is_rejected()
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() => h.Prepare(new FloorKernel(), "FLOOR", null, h.Input([1], 1f), h.Input([1], 2f)));
        Assert.That(e!.Message, Does.Contain("node 0 (FLOOR)").And.Contain("expects 1 inputs, has 2"));
    }

    [TestCase(BuiltinOperator.Abs, 5, new[] { TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.Int16 })]
    [TestCase(BuiltinOperator.Neg, 1, new[] { TensorType.Float32, TensorType.Int32, TensorType.Int64 })]
    [TestCase(BuiltinOperator.Floor, 1, new[] { TensorType.Float32 })]
    [TestCase(BuiltinOperator.Ceil, 1, new[] { TensorType.Float32 })]
    [TestCase(BuiltinOperator.Round, 1, new[] { TensorType.Float32 })]
    [TestCase(BuiltinOperator.Sign, 2, new[] { TensorType.Float32, TensorType.Int32 })]
    [TestCase(BuiltinOperator.Square, 1, new[] { TensorType.Float32 })]
    [TestCase(BuiltinOperator.LogicalNot, 1, new[] { TensorType.Bool })]
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
    public void Cost_is_one_element_op_per_element()
    {
        using var h = new ElementwiseTestHarness();
        int x = h.Input([2, 3, 4], Elementwise.Random(24, 8));
        int y = h.Output();
        var context = h.Context("ROUND", null, [x], [y]);
        DefinedPrepare.Run(new RoundKernel(), context);
        var cost = context.ParamsAs<ElementwiseParams>().Cost;
        Assert.That((cost.Macs, cost.ElementOps, cost.BytesMoved), Is.EqualTo((0L, 24L, 24L * 4 * 2)));
    }

    private static IKernel NewKernel(string name) => name switch
    {
        "ABS" => new AbsKernel(),
        "NEG" => new NegKernel(),
        "FLOOR" => new FloorKernel(),
        "CEIL" => new CeilKernel(),
        "ROUND" => new RoundKernel(),
        "SIGN" => new SignKernel(),
        "SQUARE" => new SquareKernel(),
        "LOGICAL_NOT" => new LogicalNotKernel(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
