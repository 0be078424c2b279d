using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>ARG_MAX / ARG_MIN: the first strictly best index, NaN and ties as TFLite, axis tensors and output dtypes.</summary>
public sealed class ArgMinMaxKernelTests
{
    private static Tensor Run<T>(ElementwiseTestHarness h, bool max, T[] input, int[] shape, int axisInput, TensorType outputType = TensorType.Int32)
        where T : unmanaged
    {
        int x = h.Input(shape, input);
        int output = h.Output(outputType);
        OperatorOptions options = max ? new ArgMaxOptions(outputType) : new ArgMinOptions(outputType);
        h.Run(max ? new ArgMaxKernel() : new ArgMinKernel(), h.Context(max ? "ARG_MAX" : "ARG_MIN", options, [x, axisInput], [output]));
        return h[output];
    }

    /// <summary>Independent statement: along the axis, the index of the first element no later element strictly beats.</summary>
    private static int[] Expected(float[] input, int[] shape, int axis, bool max)
    {
        int outer = shape.Take(axis).Aggregate(1, (a, d) => a * d), n = shape[axis], inner = shape.Skip(axis + 1).Aggregate(1, (a, d) => a * d);
        var result = new int[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                var line = Enumerable.Range(0, n).Select(k => input[(o * n + k) * inner + i]).ToArray();
                int best = 0;
                for (int k = 1; k < n; k++)
                    if (max ? line[k] > line[best] : line[k] < line[best]) best = k;
                result[o * inner + i] = best;
            }
        return result;
    }

    [TestCase(0, true)]
    [TestCase(2, true)]
    [TestCase(-1, false)]
    [TestCase(1, false)]
    public void The_index_of_the_first_strictly_best_element_along_the_axis(int axis, bool max)
    {
        int[] shape = [3, 4, 5];
        float[] input = Elementwise.RandomWithSpecials(60, 9);
        using var h = new ElementwiseTestHarness();
        var output = Run(h, max, input, shape, h.Constant([], new[] { axis }));
        int resolved = axis < 0 ? axis + 3 : axis;
        Assert.That(output.Shape.ToArray(), Is.EqualTo(shape.Where((_, d) => d != resolved).ToArray()));
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(Expected(input, shape, resolved, max)));
    }

    [Test]
    public void Ties_keep_the_first_index_and_a_leading_nan_wins()
    {
        using var h = new ElementwiseTestHarness();
        float[] input = [1f, 3f, 3f, /**/ float.NaN, 5f, 7f, /**/ 2f, float.NaN, 9f, /**/ -0f, 0f, -1f];
        var argMax = Run(h, true, input, [4, 3], h.Constant([1], new[] { 1L }, TensorType.Int64), TensorType.Int64);
        Assert.That(argMax.Read<long>().ToArray(), Is.EqualTo(new long[] { 1, 0, 2, 0 }));
        var argMin = Run(h, false, input, [4, 3], h.Constant([], new[] { -1 }));
        Assert.That(argMin.Read<int>().ToArray(), Is.EqualTo(new[] { 0, 0, 0, 2 }));
    }

    [Test]
    public void Integer_inputs_compare_as_integers()
    {
        using var h = new ElementwiseTestHarness();
        Assert.That(Run(h, true, new sbyte[] { -128, 127, 0, 127 }, [4], h.Constant([], new[] { 0 })).Read<int>()[0], Is.EqualTo(1));
        Assert.That(Run(h, false, new byte[] { 200, 3, 255, 3 }, [4], h.Constant([], new[] { 0 })).Read<int>()[0], Is.EqualTo(1));
        Assert.That(Run(h, true, new[] { int.MinValue, -5, int.MaxValue }, [3], h.Constant([], new[] { 0 })).Read<int>()[0], Is.EqualTo(2));
    }

    [Test]
    public void Invalid_axes_output_types_and_empty_axes_are_rejected_naming_the_node()
    {
        using var h = new ElementwiseTestHarness();
        string Refusal(int input, int axis, TensorType outputType = TensorType.Int32, TensorType optionsType = TensorType.Int32)
        {
            int output = h.Output(outputType);
            var context = h.Context("ARG_MAX", new ArgMaxOptions(optionsType), [input, axis], [output]);
            return Assert.Throws<KernelException>(() => DefinedPrepare.Run(new ArgMaxKernel(), context))!.Message;
        }
        Assert.Multiple(() =>
        {
            Assert.That(Refusal(h.Input([2, 3], new float[6]), h.Constant([], new[] { 2 })), Does.Contain("axis 2").And.Contain("ARG_MAX"));
            Assert.That(Refusal(h.Input([2, 3], new float[6]), h.Constant([2], new[] { 0, 1 })), Does.Contain("exactly one value"));
            Assert.That(Refusal(h.Input([2, 0, 3], new float[0]), h.Constant([], new[] { 1 })), Does.Contain("empty"));
            Assert.That(Refusal(h.Input([2, 3], new float[6]), h.Constant([], new[] { 0 }), TensorType.Float32, TensorType.Float32), Does.Contain("int32 or int64"));
            Assert.That(Refusal(h.Input([2, 3], new float[6]), h.Constant([], new[] { 0 }), TensorType.Int64, TensorType.Int32), Does.Contain("output"));
            Assert.That(Refusal(h.Input([], new float[1]), h.Constant([], new[] { 0 })), Does.Contain("rank"));
            Assert.That(Refusal(h.Input([2], new long[2]), h.Constant([], new[] { 0 })), Does.Contain("int64"));
        });
    }
}
