using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>
/// DIV, FLOOR_DIV, FLOOR_MOD, ADD_N, SELECT, SELECT_V2 and CAST reference kernels with their definitions
/// (docs/numerics.md): results against independent formulations, zero denominators as errors naming the node, the
/// definitions' shape rules and refusals.
/// </summary>
public sealed class DivisionSelectCastKernelTests
{
    [Test]
    public void Float_div_is_the_correctly_rounded_quotient_then_the_activation()
    {
        var random = new Random(3);
        float[] a = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        float[] b = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        b[0] = 0f;
        b[1] = -0f;
        using var h = new ElementwiseTestHarness();
        float[] plain = h.RunFloat(new DivKernel(), "DIV", new DivOptions(ActivationFunctionType.None), h.Input([64], a), h.Input([64], b));
        float[] relu6 = h.RunFloat(new DivKernel(), "DIV", new DivOptions(ActivationFunctionType.Relu6), h.Input([64], a), h.Input([64], b));
        for (int i = 0; i < 64; i++)
        {
            // A binary64 quotient of binary32 operands rounded to binary32 is the correctly rounded binary32 quotient.
            float expected = (float)((double)a[i] / b[i]);
            Assert.That(plain[i], Is.EqualTo(expected), $"element {i}");
            Assert.That(relu6[i], Is.EqualTo(expected < 0 ? 0f : expected > 6 ? 6f : expected), $"element {i}");
        }
    }

    [Test]
    public void Int32_div_truncates_broadcasts_and_saturates_min_over_minus_one()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new DivKernel(), "DIV", null,
            h.Input([2, 3], new[] { 7, -7, int.MinValue, 9, -9, 1 }), h.Input([1, 3], new[] { 2, 2, -1 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(new[] { 3, -3, int.MaxValue, 4, -4, -1 }));
    }

    [TestCase("DIV", TensorType.Int32)]
    [TestCase("FLOOR_DIV", TensorType.Int32)]
    [TestCase("FLOOR_DIV", TensorType.Float32)]
    [TestCase("FLOOR_MOD", TensorType.Int32)]
    [TestCase("FLOOR_MOD", TensorType.Int64)]
    public void A_zero_denominator_is_an_invoke_error_naming_the_node_and_the_element(string op, TensorType type)
    {
        using var h = new ElementwiseTestHarness();
        int a, b;
        switch (type)
        {
            case TensorType.Float32: a = h.Input([3], 1f, 2f, 3f); b = h.Input([3], new[] { 1f, -0f, 2f }, name: "den"); break;
            case TensorType.Int64: a = h.Input([3], new[] { 1L, 2, 3 }); b = h.Input([3], new[] { 1L, 0, 2 }, name: "den"); break;
            default: a = h.Input([3], new[] { 1, 2, 3 }); b = h.Input([3], new[] { 1, 0, 2 }, name: "den"); break;
        }
        IKernel kernel = op switch { "DIV" => new DivKernel(), "FLOOR_DIV" => new FloorDivKernel(), _ => new FloorModKernel() };
        var e = Assert.Throws<KernelException>(() => h.Run(kernel, op, null, a, b));
        Assert.That(e!.Message, Does.Contain($"node 0 ({op})").And.Contain("division by zero").And.Contain("element 1").And.Contain("'den'"));
    }

    [Test]
    public void Floor_div_and_floor_mod_round_toward_minus_infinity_on_every_dtype()
    {
        using var h = new ElementwiseTestHarness();
        Assert.That(h.Run(new FloorDivKernel(), "FLOOR_DIV", null, h.Input([4], new[] { -7, 7, -7, int.MinValue }), h.Input([4], new[] { 2, -2, -2, -1 }))
            .Read<int>().ToArray(), Is.EqualTo(new[] { -4, -4, 3, int.MaxValue }));
        Assert.That(h.RunFloat(new FloorDivKernel(), "FLOOR_DIV", null, h.Input([3], -7f, 7.5f, 16777213f),
                h.Input([3], 2f, -2f, BitConverter.Int32BitsToSingle(0x3F7FFFFF))),
            Is.EqualTo(new[] { -4f, -4f, 16777213f }), "the quotient in binary64: (2^24 − 3) / (1 − 2^-24) floors to 2^24 − 3");
        Assert.That(h.Run(new FloorModKernel(), "FLOOR_MOD", null, h.Input([4], new[] { -7, 7, -7, int.MinValue }), h.Input([4], new[] { 2, -2, -2, -1 }))
            .Read<int>().ToArray(), Is.EqualTo(new[] { 1, -1, -1, 0 }));
        Assert.That(h.Run(new FloorModKernel(), "FLOOR_MOD", null, h.Input([2], new[] { -7L, long.MaxValue }), h.Input([2], new[] { 1L << 40, -3L }))
            .Read<long>().ToArray(), Is.EqualTo(new[] { (1L << 40) - 7, -2L }));
        float[] fm = h.RunFloat(new FloorModKernel(), "FLOOR_MOD", null, h.Input([3], -7f, 5.5f, 1f), h.Input([3], 2f, -2f, 0f));
        Assert.That(fm[0], Is.EqualTo(1f));
        Assert.That(fm[1], Is.EqualTo(-0.5f));
        Assert.That(float.IsNaN(fm[2]), "fmod by zero is NaN, not an error");
    }

    [Test]
    public void Add_n_adds_in_input_order_and_clamps_each_partial_sum_to_the_finite_range()
    {
        using var h = new ElementwiseTestHarness();
        float max = float.MaxValue;
        float[] sum = h.RunFloat(new AddNKernel(), "ADD_N", null,
            h.Input([4], max, float.PositiveInfinity, float.NaN, 1f),
            h.Input([4], max, 1f, 1f, 1e-8f),
            h.Input([4], -max, float.NegativeInfinity, 2f, 1e-8f));
        // MaxValue + MaxValue → +∞ → MaxValue, then − MaxValue = 0; ∞ + 1 → MaxValue, + (−∞) → −∞ → −MaxValue; NaN passes;
        // (1 + 1e-8) + 1e-8 rounds to 1 at each step (sequential order).
        Assert.That(sum[0], Is.EqualTo(0f));
        Assert.That(sum[1], Is.EqualTo(-max));
        Assert.That(float.IsNaN(sum[2]));
        Assert.That(sum[3], Is.EqualTo(1f));
        var ints = h.Run(new AddNKernel(), "ADD_N", null, h.Input([2], new[] { int.MaxValue, 1 }), h.Input([2], new[] { 1, 2 }));
        Assert.That(ints.Read<int>().ToArray(), Is.EqualTo(new[] { int.MinValue, 3 }), "int32 wraps, no clamp");
    }

    [Test]
    public void Add_n_refuses_one_input_different_shapes_and_mixed_dtypes()
    {
        using var h = new ElementwiseTestHarness();
        Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new AddNKernel(), "ADD_N", null, h.Input([2], 1f, 2f)))!.Message,
            Does.Contain("node 0 (ADD_N)").And.Contain("at least 2 inputs"));
        Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new AddNKernel(), "ADD_N", null, h.Input([2], 1f, 2f), h.Input([1], 1f)))!.Message,
            Does.Contain("does not broadcast"));
        Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new AddNKernel(), "ADD_N", null, h.Input([2], 1f, 2f), h.Input([2], new[] { 1, 2 })))!.Message,
            Does.Contain("must be float32, is int32"));
    }

    private static int Condition(ElementwiseTestHarness h, int[] shape, params byte[] values) =>
        h.Input(shape, values, TensorType.Bool, name: "condition");

    /// <summary>Runs SELECT / SELECT_V2 with an output of x's dtype (the harness would give the condition's).</summary>
    private static Tensor RunSelect(ElementwiseTestHarness h, string op, int condition, int x, int y) =>
        h.Run(new SelectKernel(), op, h[x].Type, condition, x, y);

    private static KernelException PrepareSelectError(ElementwiseTestHarness h, string op, int condition, int x, int y) =>
        Assert.Throws<KernelException>(() =>
            DefinedPrepare.Run(new SelectKernel(), h.Context(op, null, [condition, x, y], [h.Output(h[x].Type)])))!;

    [Test]
    public void Select_takes_a_rank_one_or_scalar_condition_and_copies_bits()
    {
        using var h = new ElementwiseTestHarness();
        float nan = BitConverter.Int32BitsToSingle(0x7FC00123);
        var rows = RunSelect(h, "SELECT",
            Condition(h, [2], 0, 7), h.Input([2, 2], 1f, 2f, 3f, nan), h.Input([2, 2], 10f, 20f, 30f, 40f));
        float[] values = rows.Read<float>().ToArray();
        Assert.That(values.Take(3), Is.EqualTo(new[] { 10f, 20f, 3f }));
        Assert.That(BitConverter.SingleToInt32Bits(values[3]), Is.EqualTo(0x7FC00123), "the NaN payload is copied");
        var scalar = RunSelect(h, "SELECT", Condition(h, [], 1), h.Input([3], new short[] { 1, 2, 3 }), h.Input([3], new short[] { 4, 5, 6 }));
        Assert.That(scalar.Read<short>().ToArray(), Is.EqualTo(new short[] { 1, 2, 3 }));
    }

    [Test]
    public void Select_v2_broadcasts_all_three_operands_up_to_rank_six()
    {
        using var h = new ElementwiseTestHarness();
        // condition [2,1,1,1,1,1] (row-wise), x [1,1,1,1,1,3], y scalar → output [2,1,1,1,1,3].
        var output = RunSelect(h, "SELECT_V2",
            Condition(h, [2, 1, 1, 1, 1, 1], 1, 0), h.Input([1, 1, 1, 1, 1, 3], new long[] { 1, 2, 3 }), h.Input([], new long[] { -1 }));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2, 1, 1, 1, 1, 3 }));
        Assert.That(output.Read<long>().ToArray(), Is.EqualTo(new long[] { 1, 2, 3, -1, -1, -1 }));
        var bools = RunSelect(h, "SELECT_V2", Condition(h, [2], 1, 1), h.Input([2], new byte[] { 5, 0 }, TensorType.Bool), h.Input([1], new byte[] { 0 }, TensorType.Bool));
        Assert.That(bools.Read<byte>().ToArray(), Is.EqualTo(new byte[] { 1, 0 }), "bool results are 0 or 1");
    }

    [Test]
    public void Select_refuses_what_tflite_refuses()
    {
        using var h = new ElementwiseTestHarness();
        var rankOneMismatch = PrepareSelectError(h, "SELECT",
            Condition(h, [3], 1, 0, 1), h.Input([2, 2], new float[4]), h.Input([2, 2], new float[4]));
        Assert.That(rankOneMismatch.Message, Does.Contain("node 0 (SELECT)").And.Contain("rank 1 of x's first dimension"));
        var noBroadcastInV1 = PrepareSelectError(h, "SELECT",
            Condition(h, [2], 1, 0), h.Input([2], new float[2]), h.Input([1], new float[1]));
        Assert.That(noBroadcastInV1.Message, Does.Contain("same shape"));
        var v2 = PrepareSelectError(h, "SELECT_V2",
            Condition(h, [3], 1, 0, 1), h.Input([2], new float[2]), h.Input([2], new float[2]));
        Assert.That(v2.Message, Does.Contain("node 0 (SELECT_V2)").And.Contain("do not broadcast"));
        var notBool = PrepareSelectError(h, "SELECT_V2",
            h.Input([2], 1f, 0f), h.Input([2], new float[2]), h.Input([2], new float[2]));
        Assert.That(notBool.Message, Does.Contain("condition").And.Contain("must be bool"));
    }

    private static Tensor Cast<T>(ElementwiseTestHarness h, T[] values, TensorType to, TensorType? from = null) where T : unmanaged
    {
        int input = h.Input([values.Length], values, from);
        return h.Run(new CastKernel(), "CAST", to, input);
    }

    [Test]
    public void Float32_to_integers_truncates_with_tflites_clamps_and_the_defined_out_of_range_results()
    {
        float[] x = [2.9f, -2.9f, 200.7f, -200.7f, 70000.5f, 3e9f, -3e9f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -0f];
        using var h = new ElementwiseTestHarness();
        Assert.That(Cast(h, x, TensorType.Int32).Read<int>().ToArray(),
            Is.EqualTo(new[] { 2, -2, 200, -200, 70000, int.MaxValue, int.MinValue, int.MaxValue, int.MinValue, int.MaxValue, 0 }));
        Assert.That(Cast(h, x, TensorType.Int16).Read<short>().ToArray(),
            Is.EqualTo(new short[] { 2, -2, 200, -200, 32767, 32767, -32768, 32767, -32768, 0, 0 }));
        Assert.That(Cast(h, x, TensorType.UInt8).Read<byte>().ToArray(),
            Is.EqualTo(new byte[] { 2, 0, 200, 0, 255, 255, 0, 255, 0, 0, 0 }));
        Assert.That(Cast(h, x, TensorType.Int8).Read<sbyte>().ToArray(),
            Is.EqualTo(new sbyte[] { 2, -2, -56, 56, unchecked((sbyte)70000), -1, 0, -1, 0, 0, 0 }));
        Assert.That(Cast(h, x, TensorType.Int64).Read<long>().ToArray(),
            Is.EqualTo(new long[] { 2, -2, 200, -200, 70000, 3_000_000_000, -3_000_000_000, long.MaxValue, long.MinValue, 0, 0 }));
        Assert.That(Cast(h, x, TensorType.Bool).Read<byte>().ToArray(), Is.EqualTo(new byte[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 }));
    }

    [Test]
    public void Integer_and_bool_conversions_wrap_round_to_nearest_even_and_normalise_bools()
    {
        using var h = new ElementwiseTestHarness();
        Assert.That(Cast(h, new[] { 300, -129, 65537 }, TensorType.Int8).Read<sbyte>().ToArray(), Is.EqualTo(new sbyte[] { 44, 127, 1 }));
        Assert.That(Cast(h, new[] { 16777217, 16777219 }, TensorType.Float32).Read<float>().ToArray(), Is.EqualTo(new[] { 16777216f, 16777220f }));
        Assert.That(Cast(h, new[] { long.MinValue, 1L << 40 }, TensorType.Int32).Read<int>().ToArray(), Is.EqualTo(new[] { 0, 0 }));
        Assert.That(Cast(h, new byte[] { 0, 1, 7 }, TensorType.Float32, TensorType.Bool).Read<float>().ToArray(), Is.EqualTo(new[] { 0f, 1f, 1f }));
        Assert.That(Cast(h, new byte[] { 0, 200 }, TensorType.Int16, TensorType.Bool).Read<short>().ToArray(), Is.EqualTo(new short[] { 0, 1 }));
        Assert.That(Cast(h, new sbyte[] { -1, 0 }, TensorType.UInt8).Read<byte>().ToArray(), Is.EqualTo(new byte[] { 255, 0 }));
        Assert.That(Cast(h, new[] { 65519, 65520, 2049 }, TensorType.Float16).Read<Half>().ToArray(),
            Is.EqualTo(new[] { (Half)65504f, Half.PositiveInfinity, (Half)2048f }), "half: ties to even, overflow to ∞");
    }

    [Test]
    public void Float16_converts_through_its_exact_float32_value()
    {
        using var h = new ElementwiseTestHarness();
        Half[] x = [(Half)40000f, (Half)(-2.5f), Half.PositiveInfinity, Half.NaN, (Half)300f];
        Assert.That(Cast(h, x, TensorType.Float32).Read<float>().ToArray().Take(3).ToArray(), Is.EqualTo(new[] { 40000f, -2.5f, float.PositiveInfinity }));
        Assert.That(Cast(h, x, TensorType.Int16).Read<short>().ToArray(), Is.EqualTo(new short[] { -25536, -2, -1, 0, 300 }), "static_cast: the low bits");
        Assert.That(Cast(h, x, TensorType.Int32).Read<int>().ToArray(), Is.EqualTo(new[] { 40000, -2, int.MaxValue, 0, 300 }));
        Assert.That(Cast(h, x, TensorType.UInt8).Read<byte>().ToArray(), Is.EqualTo(new byte[] { 64, 254, 255, 0, 44 }));
    }

    [Test]
    public void Cast_refuses_dtypes_outside_its_set_and_keeps_the_shape()
    {
        using var h = new ElementwiseTestHarness();
        int input = h.Input([2, 1, 3], new float[6]);
        var output = h.Run(new CastKernel(), "CAST", TensorType.Int8, input);
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2, 1, 3 }));
        int wrong = h.Input([2], new double[2], TensorType.Float64, name: "doubles");
        var e = Assert.Throws<KernelException>(() => h.Run(new CastKernel(), "CAST", TensorType.Float32, wrong));
        Assert.That(e!.Message, Does.Contain("node 0 (CAST)").And.Contain("'doubles'").And.Contain("float64"));
    }
}
