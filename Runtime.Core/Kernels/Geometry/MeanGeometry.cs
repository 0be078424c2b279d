using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Geometry;

/// <summary>
/// MEAN's reduction as a device kernel walks it: output element i is the i-th combination of the kept dimensions in
/// row-major order, and its sum runs over the reduced dimensions in the input's row-major order (the reference's
/// order). Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged into runs (neither
/// changes the order); the runs are right-aligned into four kept and four reduced (size, input stride) slots, leading
/// slots (1, 0). Shared by the device delegates so their claims and index math cannot drift apart.
/// </summary>
public sealed class MeanGeometry
{
    public const int MaxRuns = 4;

    private MeanGeometry(int[] keptSizes, int[] keptStrides, int[] reducedSizes, int[] reducedStrides, long keptCount, long reducedCount)
    {
        KeptSizes = keptSizes;
        KeptStrides = keptStrides;
        ReducedSizes = reducedSizes;
        ReducedStrides = reducedStrides;
        KeptCount = keptCount;
        ReducedCount = reducedCount;
        // MEAN's R(n); the other reductions (any n) do not read it.
        Reciprocal = reducedCount == 0 ? float.PositiveInfinity
            : reducedCount <= SpecMath.MaxExactCount ? SpecMath.ReciprocalOfCount((int)reducedCount) : float.NaN;
    }

    /// <summary>Four kept runs (outermost first): sizes and input strides in elements.</summary>
    public IReadOnlyList<int> KeptSizes { get; }
    public IReadOnlyList<int> KeptStrides { get; }

    /// <summary>Four reduced runs (outermost first): sizes and input strides in elements.</summary>
    public IReadOnlyList<int> ReducedSizes { get; }
    public IReadOnlyList<int> ReducedStrides { get; }

    /// <summary>Output elements.</summary>
    public long KeptCount { get; }

    /// <summary>Input elements summed per output element (n).</summary>
    public long ReducedCount { get; }

    /// <summary>R(n) = SpecMath.ReciprocalOfCount(n), the reference's multiplier; +∞ for n = 0 (the result is NaN).</summary>
    public float Reciprocal { get; }

    /// <summary>
    /// The runs of a MEAN node whose definition validated it (<see cref="MeanParams"/>: input dimensions, reduced
    /// dimensions, elements per output), or null with the reason the four-run layout cannot express it: more than
    /// <see cref="MaxRuns"/> runs of either kind, or an input over 2^31 elements.
    /// </summary>
    public static MeanGeometry? TryCreate(MeanParams mean, out string? refusal)
    {
        long kept = 1;
        for (int d = 0; d < mean.InputDims.Length; d++)
            if (!mean.Reduced[d]) kept *= mean.InputDims[d];
        refusal = Runs(mean.InputDims.AsSpan(), mean.Reduced.AsSpan(), kept, mean.ReducedCount, out var geometry);
        return geometry;
    }

    /// <summary>
    /// The runs of a SUM / REDUCE_PROD / REDUCE_MAX / REDUCE_MIN node (<see cref="ReductionParams"/>): the same layout
    /// and order (each output folds its elements in row-major input order), or null with the reason.
    /// </summary>
    public static MeanGeometry? TryCreate(ReductionParams reduction, out string? refusal)
    {
        refusal = Runs(reduction.InputDims.AsSpan(), reduction.Reduced.AsSpan(), reduction.OutputCount, reduction.ReducedCount, out var geometry);
        return geometry;
    }

    /// <summary>Dimensions to runs: null with <paramref name="geometry"/> set, or the refusal.</summary>
    private static string? Runs(ReadOnlySpan<int> dims, ReadOnlySpan<bool> reduced, long kept, long count, out MeanGeometry? geometry)
    {
        geometry = null;
        int rank = dims.Length;
        // Runs of neighbouring dimensions of one kind (size-1 dimensions dropped), innermost first, with input strides.
        var runs = new List<(int Size, long Stride, bool Reduced)>();
        long stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int size = dims[d];
            if (size != 1)
            {
                if (runs.Count > 0 && runs[^1].Reduced == reduced[d] && runs[^1].Stride * runs[^1].Size == stride)
                    runs[^1] = (runs[^1].Size * size, runs[^1].Stride, reduced[d]);
                else
                    runs.Add((size, stride, reduced[d]));
            }
            stride *= size;
        }
        if (stride > int.MaxValue) return "input over 2^31 elements";
        runs.Reverse();
        var keptRuns = runs.Where(r => !r.Reduced).ToArray();
        var reducedRuns = runs.Where(r => r.Reduced).ToArray();
        if (keptRuns.Length > MaxRuns || reducedRuns.Length > MaxRuns)
            return $"{keptRuns.Length} kept and {reducedRuns.Length} reduced runs of dimensions remain after merging; at most {MaxRuns} of each are supported";

        var keptSizes = new int[MaxRuns];
        var keptStrides = new int[MaxRuns];
        var reducedSizes = new int[MaxRuns];
        var reducedStrides = new int[MaxRuns];
        for (int i = 0; i < MaxRuns; i++)
        {
            int k = i - (MaxRuns - keptRuns.Length), r = i - (MaxRuns - reducedRuns.Length);
            (keptSizes[i], keptStrides[i]) = k >= 0 ? (keptRuns[k].Size, (int)keptRuns[k].Stride) : (1, 0);
            (reducedSizes[i], reducedStrides[i]) = r >= 0 ? (reducedRuns[r].Size, (int)reducedRuns[r].Stride) : (1, 0);
        }
        geometry = new MeanGeometry(keptSizes, keptStrides, reducedSizes, reducedStrides, kept, count);
        return null;
    }
}
