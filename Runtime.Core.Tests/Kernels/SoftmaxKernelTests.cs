using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Tests.Kernels;

/// <summary>SOFTMAX's definition and reference kernel: shapes, the specified sequence, accuracy, special values.</summary>
public sealed class SoftmaxKernelTests
{
    private static float[] Run(float[] input, int[] shape, float beta, out int[] outputShape)
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new SoftmaxKernel(), "SOFTMAX", new SoftmaxOptions(beta), h.Input(shape, input));
        outputShape = output.Shape.ToArray();
        return output.Read<float>().ToArray();
    }

    /// <summary>docs/numerics.md §SOFTMAX written out independently of the kernel.</summary>
    private static float[] Specified(float[] x, int depth, float beta)
    {
        var y = new float[x.Length];
        for (int row = 0; row * depth < x.Length; row++)
        {
            int o = row * depth;
            float m = x[o];
            for (int i = 1; i < depth; i++) if (x[o + i] > m || float.IsNaN(x[o + i])) m = x[o + i];
            float sum = 0f;
            for (int i = 0; i < depth; i++) { y[o + i] = SpecMath.Exp((x[o + i] - m) * beta); sum += y[o + i]; }
            float r = SpecMath.SoftmaxMultiplier(sum);
            for (int i = 0; i < depth; i++) y[o + i] *= r;
        }
        return y;
    }

    [TestCase(1, 1f)]
    [TestCase(7, 1f)]
    [TestCase(33, 0.5f)]
    [TestCase(1001, 2.5f)]
    public void Each_row_of_the_last_dimension_follows_the_specified_sequence_and_is_within_a_few_ulps(int depth, float beta)
    {
        var random = new Random(depth);
        float[] input = Enumerable.Range(0, 3 * depth).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        float[] actual = Run(input, [3, depth], beta, out var shape);
        Assert.That(shape, Is.EqualTo(new[] { 3, depth }));
        Elementwise.AssertBitEqual(actual, Specified(input, depth, beta));
        for (int row = 0; row < 3; row++)
        {
            var x = input.Skip(row * depth).Take(depth).Select(v => (double)v).ToArray();
            double max = x.Max();
            double sum = x.Sum(v => Math.Exp((v - max) * beta));
            for (int i = 0; i < depth; i++)
            {
                double argument = (x[i] - max) * beta;
                double exact = Math.Exp(argument) / sum;
                // The rounded argument (x − m)·beta carries up to |argument|·2^-23 of relative error into e^argument
                // (as in TFLite); beyond that, a few ulps from Exp and the reciprocal, and the sum's roundings.
                double relative = Math.Abs(argument) * 1.2e-7 + (depth + 8) * 6e-8; // the sequential sum: ≤ depth roundings
                Assert.That(Math.Abs(actual[row * depth + i] - exact), Is.LessThanOrEqualTo(Math.Max(exact * relative, 1e-44)),
                    $"row {row}, element {i}");
            }
        }
    }

    [Test]
    public void Special_values_follow_the_spec()
    {
        float[] input = [float.NaN, 1f, 2f, float.NegativeInfinity, 0f, 3f, float.PositiveInfinity, 1f, 2f, -1e30f, 1e30f, 0f];
        float[] actual = Run(input, [4, 3], 1f, out _);
        Elementwise.AssertBitEqual(actual, Specified(input, 3, 1f));
        Assert.That(actual.Take(3).All(float.IsNaN), "a NaN in the row makes the row NaN");
        Assert.That(actual[3], Is.EqualTo(0f), "−inf contributes e = 0");
        Assert.That(actual.Skip(6).Take(3).All(float.IsNaN), "+inf − +inf is NaN");
        Assert.That(actual[10], Is.EqualTo(1f), "a dominant element takes everything");
    }

    [Test]
    public void Negative_beta_and_rank_one_work_and_a_scalar_is_refused()
    {
        float[] input = [1f, 2f, 3f];
        Elementwise.AssertBitEqual(Run(input, [3], -1f, out _), Specified(input, 3, -1f));
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() => h.Prepare(new SoftmaxKernel(), "SOFTMAX", new SoftmaxOptions(1f), h.Input([], new[] { 1f })));
        Assert.That(e!.Message, Does.Contain("rank >= 1"));
    }
}
