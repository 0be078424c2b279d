using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The row kernels of L2_NORMALIZATION (four rows' sums interleaved, the remainder rows alone) and
/// LOCAL_RESPONSE_NORMALIZATION (one lane per channel whose window lies inside the row, clipped channels scalar, Pow per
/// lane): row counts around the group of four, depths around every vector width, radii from 0 to past the depth, and
/// special values (NaN, ±∞, ±0, subnormals, squares that overflow).
/// </summary>
public static partial class OpCases
{
    public static IEnumerable<BitExactCase> NormalizationCases(Random random)
    {
        foreach (int[] shape in new[] { new[] { 4, 33 }, [5, 17], [7, 5], [9, 1], [13, 64], [2, 3, 3, 16], [64, 129] })
            foreach (double special in new[] { 0.0, 0.15 })
                yield return NormalizationCase(BuiltinOperator.L2Normalization, new L2NormOptions(ActivationFunctionType.None), shape,
                    Values(random, Count(shape), 3f, special), special);
        (int Radius, float Bias, float Alpha, float Beta)[] settings =
            [(0, 1f, 1f, 0.5f), (1, 2f, 1e-4f, 0.75f), (2, 1f, 0.5f, 1f), (3, 0.5f, 2f, -0.5f), (7, 1f, 1e-3f, 0.75f)];
        foreach (var (radius, bias, alpha, beta) in settings)
            foreach (int depth in new[] { 1, 7, 15, 16, 17, 33, 64, 97 })
                foreach (double special in new[] { 0.0, 0.15 })
                {
                    int[] shape = [1, 2, 3, depth];
                    yield return NormalizationCase(BuiltinOperator.LocalResponseNormalization,
                        new LocalResponseNormalizationOptions(radius, bias, alpha, beta), shape, Values(random, Count(shape), 4f, special), special);
                }
        int[] large = [1, 16, 16, 96];
        yield return NormalizationCase(BuiltinOperator.LocalResponseNormalization, new LocalResponseNormalizationOptions(2, 1f, 1e-4f, 0.75f),
            large, Values(random, Count(large), 4f), 0);
    }

    private static BitExactCase NormalizationCase(BuiltinOperator op, OperatorOptions options, int[] shape, float[] x, double special)
    {
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, shape);
        int to = mb.AddTensor("y", TensorType.Float32, shape);
        mb.AddOperator(op, [ti], [to], options);
        mb.AddInput(ti);
        mb.AddOutput(to);
        string settings = options is LocalResponseNormalizationOptions o ? $" r={o.Radius} bias={o.Bias} alpha={o.Alpha} beta={o.Beta}" : "";
        return new BitExactCase($"{op}{settings} {Shape(shape)} specials {special}", mb.Build(), [x]);
    }
}
