using Accel.Building;
using Accel.Kernels.Geometry;

namespace Accel.Tests.Kernels;

public sealed class MeanGeometryTests
{
    /// <summary>Builds MEAN(input of <paramref name="shape"/>, <paramref name="axes"/>) and returns its geometry or refusal.</summary>
    private static (MeanGeometry? Geometry, string? Refusal) Of(int[] shape, int[] axes, bool keepDims = false)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, shape);
        int a = b.AddConstant("axes", [axes.Length], axes);
        int y = b.AddTensor("y", TensorType.Float32, []);
        b.AddOperator(BuiltinOperator.Mean, [x, a], [y], new ReducerOptions(keepDims));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var g = MeanGeometry.TryCreate((Accel.Operators.Definitions.MeanParams)interpreter.Graph[0].Params!, out string? refusal);
        return (g, refusal);
    }

    [Test]
    public void SpatialMeanOfNhwcKeepsBatchAndChannelsAndSumsRowsThenColumns()
    {
        var (g, refusal) = Of([2, 5, 7, 3], [1, 2]);
        Assert.That(refusal, Is.Null);
        // Kept runs N (stride 105) and C (stride 1); the reduced H,W merge into one run of 35 with stride 3.
        Assert.That(g!.KeptSizes, Is.EqualTo(new[] { 1, 1, 2, 3 }));
        Assert.That(g.KeptStrides, Is.EqualTo(new[] { 0, 0, 105, 1 }));
        Assert.That(g.ReducedSizes, Is.EqualTo(new[] { 1, 1, 1, 35 }));
        Assert.That(g.ReducedStrides, Is.EqualTo(new[] { 0, 0, 0, 3 }));
        Assert.That((g.KeptCount, g.ReducedCount), Is.EqualTo((6L, 35L)));
        Assert.That(g.Reciprocal, Is.EqualTo(1f / 35));
    }

    [Test]
    public void NegativeAndDuplicateAxesAndSizeOneDimensionsChangeNothing()
    {
        var (plain, _) = Of([4, 6, 5], [1]);
        var (same, refusal) = Of([4, 1, 6, 1, 5], [-3, 2, 2]);
        Assert.That(refusal, Is.Null);
        Assert.That((same!.KeptSizes, same.KeptStrides, same.ReducedSizes, same.ReducedStrides),
            Is.EqualTo((plain!.KeptSizes, plain.KeptStrides, plain.ReducedSizes, plain.ReducedStrides)));
    }

    [Test]
    public void MoreThanFourRunsOfAKindAreRefusedWithTheReason()
    {
        var (tooMany, why) = Of([2, 2, 2, 2, 2, 2, 2, 2, 2], [1, 3, 5, 7]);
        Assert.That(tooMany, Is.Null);
        Assert.That(why, Does.Contain("5 kept and 4 reduced runs"));
    }
}
