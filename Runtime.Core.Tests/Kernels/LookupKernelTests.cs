using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>ONE_HOT (axis, out-of-range indices, int64 truncation) and EMBEDDING_LOOKUP (row copies, id range errors).</summary>
public sealed class LookupKernelTests
{
    /// <summary>Runs a node whose output dtype is <paramref name="outputType"/> (the harness's Run takes input 0's).</summary>
    private static Tensor Run(ElementwiseTestHarness h, IKernel kernel, string op, OperatorOptions? options, TensorType outputType, params int[] inputs)
    {
        int output = h.Output(outputType);
        h.Run(kernel, h.Context(op, options, inputs, [output]));
        return h[output];
    }

    private static Tensor OneHot<TIndex>(ElementwiseTestHarness h, TIndex[] indices, int[] shape, int depth, int axis, float on = 5f, float off = -1f)
        where TIndex : unmanaged =>
        Run(h, new OneHotKernel(), "ONE_HOT", new OneHotOptions(axis), TensorType.Float32, h.Constant(shape, indices), h.Constant([], new[] { depth }),
            h.Input([], new[] { on }), h.Input([], new[] { off }));

    [TestCase(-1)]
    [TestCase(0)]
    [TestCase(1)]
    public void One_hot_puts_on_where_the_index_equals_the_position_along_the_new_axis(int axis)
    {
        int[] indices = [0, 2, -1, 3, 1, 7];
        using var h = new ElementwiseTestHarness();
        var output = OneHot(h, indices, [2, 3], depth: 4, axis);
        int resolved = axis == -1 ? 2 : axis;
        int[] expectedShape = resolved switch { 0 => [4, 2, 3], 1 => [2, 4, 3], _ => [2, 3, 4] };
        Assert.That(output.Shape.ToArray(), Is.EqualTo(expectedShape));
        var values = output.Read<float>();
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                for (int j = 0; j < 4; j++)
                {
                    int flat = resolved switch { 0 => (j * 2 + r) * 3 + c, 1 => (r * 4 + j) * 3 + c, _ => (r * 3 + c) * 4 + j };
                    Assert.That(values[flat], Is.EqualTo(indices[r * 3 + c] == j ? 5f : -1f), $"[{r},{c}] j={j}");
                }
    }

    [Test]
    public void One_hot_compares_int64_indices_by_their_low_32_bits_as_tflite()
    {
        using var h = new ElementwiseTestHarness();
        var output = OneHot(h, new[] { (1L << 32) + 1, -1L }, [2], depth: 3, axis: -1);
        Assert.That(output.Read<float>().ToArray(), Is.EqualTo(new[] { -1f, 5f, -1f, -1f, -1f, -1f }));
    }

    [Test]
    public void One_hot_rejects_bad_depth_axis_and_value_types_naming_the_node()
    {
        using var h = new ElementwiseTestHarness();
        string Refusal(int depth, int axis, int? off = null) => Assert.Throws<KernelException>(() => Run(h, new OneHotKernel(), "ONE_HOT",
            new OneHotOptions(axis), TensorType.Float32, h.Constant([2], new[] { 0, 1 }), h.Constant([], new[] { depth }), h.Input([], new[] { 1f }),
            off ?? h.Input([], new[] { 0f })))!.Message;
        Assert.Multiple(() =>
        {
            Assert.That(Refusal(-2, -1), Does.Contain("depth").And.Contain("ONE_HOT"));
            Assert.That(Refusal(3, 2), Does.Contain("axis 2"));
            Assert.That(Refusal(3, -2), Does.Contain("axis -2"));
            Assert.That(Refusal(3, -1, h.Input([], new[] { 0 })), Does.Contain("off_value"));
        });
    }

    [Test]
    public void Embedding_lookup_copies_the_rows_the_ids_name()
    {
        using var h = new ElementwiseTestHarness();
        float[] table = [0f, 1f, 10f, 11f, 20f, 21f];
        var output = Run(h, new EmbeddingLookupKernel(), "EMBEDDING_LOOKUP", null, TensorType.Float32, h.Input([4], new[] { 2, 0, 2, 1 }), h.Input([3, 2], table));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 4, 2 }));
        Assert.That(output.Read<float>().ToArray(), Is.EqualTo(new[] { 20f, 21f, 0f, 1f, 20f, 21f, 10f, 11f }));
    }

    [TestCase(3)]
    [TestCase(-1)]
    public void Embedding_lookup_fails_the_invoke_on_an_id_out_of_range_naming_the_node(int id)
    {
        using var h = new ElementwiseTestHarness();
        var error = Assert.Throws<KernelException>(() => Run(h, new EmbeddingLookupKernel(), "EMBEDDING_LOOKUP", null, TensorType.Float32,
            h.Input([2], new[] { 0, id }), h.Input([3, 2], new float[6])))!;
        Assert.That(error.Message, Does.Contain("EMBEDDING_LOOKUP").And.Contain($"id {id}"));
    }

    [Test]
    public void Embedding_lookup_rejects_bad_ids_and_tables_naming_the_node()
    {
        using var h = new ElementwiseTestHarness();
        string Refusal(int ids, int table) =>
            Assert.Throws<KernelException>(() => Run(h, new EmbeddingLookupKernel(), "EMBEDDING_LOOKUP", null, TensorType.Float32, ids, table))!.Message;
        Assert.Multiple(() =>
        {
            Assert.That(Refusal(h.Input([1, 2], new[] { 0, 1 }), h.Input([3, 2], new float[6])), Does.Contain("rank 1"));
            Assert.That(Refusal(h.Input([2], new[] { 0L, 1L }), h.Input([3, 2], new float[6])), Does.Contain("int64"));
            Assert.That(Refusal(h.Input([2], new[] { 0, 1 }), h.Input([3], new float[3])), Does.Contain("rank >= 2"));
            Assert.That(Refusal(h.Input([2], new[] { 0, 1 }), h.Input([3, 2], new int[6])), Does.Contain("int32"));
        });
    }
}
