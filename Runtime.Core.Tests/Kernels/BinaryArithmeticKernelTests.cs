using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>ADD, SUB and MUL: NumPy broadcasting, one rounded operation per element, fused activations, errors.</summary>
public sealed class BinaryArithmeticKernelTests
{
    public enum Op { Add, Sub, Mul }

    private static IKernel NewKernel(Op op) => op switch
    {
        Op.Add => new AddKernel(),
        Op.Sub => new SubKernel(),
        _ => new MulKernel(),
    };

    private static OperatorOptions Options(Op op, ActivationFunctionType activation) => op switch
    {
        Op.Add => new AddOptions(activation),
        Op.Sub => new SubOptions(activation),
        _ => new MulOptions(activation),
    };

    private static string Name(Op op) => op.ToString().ToUpperInvariant();

    /// <summary>Independent broadcast: for each output coordinate, each operand's coordinate clamped to its size.</summary>
    private static float[] NaiveBroadcast(Op op, float[] a, int[] shapeA, float[] b, int[] shapeB, int[] shapeOut,
        ActivationFunctionType activation)
    {
        int rank = shapeOut.Length;
        var result = new float[Elementwise.Count(shapeOut)];
        for (int i = 0; i < result.Length; i++)
        {
            int[] c = Elementwise.Coordinates(i, shapeOut);
            double x = a[Pick(c, shapeA, rank)], y = b[Pick(c, shapeB, rank)];
            // The double result of one +, − or × of two floats rounds to the same float as the float operation.
            double exact = op switch { Op.Add => x + y, Op.Sub => x - y, _ => x * y };
            result[i] = (float)Elementwise.Activate((float)exact, activation);
        }
        return result;
    }

    private static int Pick(int[] outCoordinates, int[] shape, int rank)
    {
        var c = new int[shape.Length];
        for (int d = 0; d < shape.Length; d++)
            c[d] = shape[d] == 1 ? 0 : outCoordinates[d + rank - shape.Length];
        return Elementwise.Flat(c, shape);
    }

    private static readonly (int[] A, int[] B, int[] Out)[] BroadcastCases =
    [
        ([2, 3, 4, 5], [2, 3, 4, 5], [2, 3, 4, 5]),   // same shape
        ([1, 4, 3, 7], [1, 1, 1, 7], [1, 4, 3, 7]),   // per-channel (the selfie MUL)
        ([1, 1, 1, 7], [1, 4, 3, 7], [1, 4, 3, 7]),   // per-channel on the left
        ([2, 3, 5], [], [2, 3, 5]),                   // scalar (rank 0)
        ([], [3, 1], [3, 1]),
        ([1], [2, 5], [2, 5]),                        // [1] against a matrix
        ([2, 3, 4, 5], [4, 1], [2, 3, 4, 5]),         // rank mismatch, inner broadcast
        ([3, 1, 5], [1, 4, 1], [3, 4, 5]),            // both sides broadcast
        ([2, 1, 3, 1, 2, 3], [1, 2, 1, 4, 1, 3], [2, 2, 3, 4, 2, 3]), // rank 6
        ([1, 2, 1, 2, 1, 2, 1], [2, 1, 2, 1, 2, 1, 2], [2, 2, 2, 2, 2, 2, 2]), // rank 7
    ];

    [Test]
    public void Broadcast_cases_match_an_independent_double_reference_bit_for_bit(
        [Values] Op op, [Range(0, 9)] int shapeCase)
    {
        var (shapeA, shapeB, shapeOut) = BroadcastCases[shapeCase];
        float[] a = Elementwise.Random(Elementwise.Count(shapeA), 10 + shapeCase);
        float[] b = Elementwise.Random(Elementwise.Count(shapeB), 20 + shapeCase);
        foreach (var activation in Elementwise.ClampActivations)
        {
            using var h = new ElementwiseTestHarness();
            var output = h.Run(NewKernel(op), Name(op), Options(op, activation), h.Input(shapeA, a), h.Input(shapeB, b));
            Assert.That(output.Shape.ToArray(), Is.EqualTo(shapeOut));
            Elementwise.AssertBitEqual(output.Read<float>(), NaiveBroadcast(op, a, shapeA, b, shapeB, shapeOut, activation),
                $"{op} {activation}");
        }
    }

    [Test]
    public void Constant_operands_work_like_activations([Values] Op op)
    {
        using var h = new ElementwiseTestHarness();
        float[] a = Elementwise.Random(12, 1), b = Elementwise.Random(3, 2);
        var output = h.Run(NewKernel(op), Name(op), Options(op, ActivationFunctionType.None),
            h.Input([4, 3], a), h.Constant([3], b));
        Elementwise.AssertBitEqual(output.Read<float>(), NaiveBroadcast(op, a, [4, 3], b, [3], [4, 3], ActivationFunctionType.None));
    }

    [Test]
    public void Missing_options_mean_no_activation([Values] Op op)
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(NewKernel(op), Name(op), null, h.Input([2], -3f, 8f), h.Input([2], 1f, 2f));
        float[] expected = op switch { Op.Add => [-2f, 10f], Op.Sub => [-4f, 6f], _ => [-3f, 16f] };
        Elementwise.AssertBitEqual(output.Read<float>(), expected);
    }

    [Test]
    public void Special_values_follow_ieee_arithmetic_and_the_nan_propagating_clamp()
    {
        using var h = new ElementwiseTestHarness();
        float[] a = [float.NaN, float.PositiveInfinity, -0f, -0f, 3e38f, -5f];
        float[] b = [1f, float.NegativeInfinity, 0f, -0f, 3e38f, 2f];
        var relu = h.Run(new AddKernel(), "ADD", new AddOptions(ActivationFunctionType.Relu), h.Input([6], a), h.Input([6], b));
        // NaN + 1 = NaN passes the clamp; inf − inf = NaN; −0 + 0 = +0; −0 + −0 = −0 (kept by RELU: −0 < 0 is false).
        float[] expected = [float.NaN, float.NaN, 0f, -0f, float.PositiveInfinity, 0f];
        var actual = relu.Read<float>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(actual[0]) && float.IsNaN(actual[1]), Is.True);
            Elementwise.AssertBitEqual(actual.AsSpan(2), expected[2..]);
        });
    }

    [Test]
    public void Int32_arithmetic_wraps_and_clamps([Values] Op op)
    {
        using var h = new ElementwiseTestHarness();
        int[] a = [int.MaxValue, -7, 3, 100_000];
        int[] b = [2, 3, -9, 100_000];
        var output = h.Run(NewKernel(op), Name(op), Options(op, ActivationFunctionType.Relu6), h.Input([4], a), h.Input([4], b));
        int[] expected = a.Zip(b, (x, y) =>
        {
            int raw = op switch { Op.Add => unchecked(x + y), Op.Sub => unchecked(x - y), _ => unchecked(x * y) };
            return Math.Clamp(raw, 0, 6);
        }).ToArray();
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Int32_broadcasts_a_scalar()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new MulKernel(), "MUL", new MulOptions(ActivationFunctionType.None),
            h.Input([2, 2], new[] { 1, -2, 3, -4 }), h.Input([], new[] { -3 }));
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(new[] { -3, 6, -9, 12 }));
    }

    [Test]
    public void Incompatible_shapes_are_rejected_naming_both_shapes([Values] Op op)
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() =>
            h.Prepare(NewKernel(op), Name(op), Options(op, ActivationFunctionType.None), h.Input([2, 3], new float[6]), h.Input([2], new float[2])));
        Assert.That(e!.Message, Does.Contain("[2,3]").And.Contain("[2]").And.Contain("broadcast"));
    }

    [Test]
    public void Other_dtypes_and_mixed_dtypes_are_rejected([Values] Op op)
    {
        using var h = new ElementwiseTestHarness();
        var e1 = Assert.Throws<KernelException>(() =>
            h.Prepare(NewKernel(op), Name(op), null, h.Input([2], new sbyte[] { 1, 2 }), h.Input([2], new sbyte[] { 1, 2 })));
        Assert.That(e1!.Message, Does.Contain("int8"));
        var e2 = Assert.Throws<KernelException>(() =>
            h.Prepare(NewKernel(op), Name(op), null, h.Input([2], 1f, 2f), h.Input([2], new[] { 1, 2 })));
        Assert.That(e2!.Message, Does.Contain("int32").And.Contain("float32"));
    }

    [Test]
    public void Tanh_and_sign_bit_activations_are_rejected()
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() =>
            h.Prepare(new AddKernel(), "ADD", new AddOptions(ActivationFunctionType.Tanh), h.Input([1], 1f), h.Input([1], 1f)));
        Assert.That(e!.Message, Does.Contain("Tanh"));
    }

    [Test]
    public void Wrong_options_type_is_rejected()
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() =>
            h.Prepare(new AddKernel(), "ADD", new MulOptions(ActivationFunctionType.None), h.Input([1], 1f), h.Input([1], 1f)));
        Assert.That(e!.Message, Does.Contain("AddOptions"));
    }

    [Test]
    public void Zero_sized_broadcast_gives_an_empty_output()
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new AddKernel(), "ADD", null, h.Input([0, 3], Array.Empty<float>()), h.Input([1, 3], 1f, 2f, 3f));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 0, 3 }));
    }

    [Test]
    public void Broadcast_plan_is_reused_across_invokes_without_state_leaking()
    {
        using var h = new ElementwiseTestHarness();
        var kernel = new AddKernel();
        int a = h.Input([3, 1, 2], Elementwise.Random(6, 5));
        int b = h.Input([1, 4, 2], Elementwise.Random(8, 6));
        int output = h.Output();
        var context = h.Context("ADD", null, [a, b], [output]);
        h.Run(kernel, context);
        float[] first = h[output].Read<float>().ToArray();
        kernel.Invoke(context);
        Elementwise.AssertBitEqual(h[output].Read<float>(), first);
    }
}
