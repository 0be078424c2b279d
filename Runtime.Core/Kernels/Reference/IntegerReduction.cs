using System.Collections.Immutable;
using System.Numerics;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>How one output of an integer reduction takes in its elements (an int64 accumulator) and is finished.</summary>
internal interface IIntegerFold<T>
{
    /// <summary>The accumulator after the output's first element.</summary>
    long First(T x);

    /// <summary>The accumulator after the next element.</summary>
    long Next(long accumulator, T x);

    /// <summary>The output element from the accumulator after the last element.</summary>
    T Finish(long accumulator);
}

/// <summary>How an output element comes from the exact sum of its elements (MEAN, SUM).</summary>
internal interface ISumFinish<T>
{
    T Finish(long sum);
}

/// <summary>The int64 sum of an output's elements (wrapping: the order does not change it), then <typeparamref name="TFinish"/>.</summary>
internal readonly struct SumFold<T, TFinish>(TFinish finish) : IIntegerFold<T>
    where T : IBinaryInteger<T> where TFinish : struct, ISumFinish<T>
{
    public long First(T x) => long.CreateTruncating(x);
    public long Next(long accumulator, T x) => unchecked(accumulator + long.CreateTruncating(x));
    public T Finish(long accumulator) => finish.Finish(accumulator);
}

/// <summary>int8, uint8, int16 MEAN and SUM: TFLite's reference_ops::QuantizedMeanOrSum on the exact sum (<see cref="QuantizedMeanParams"/>).</summary>
internal readonly struct RequantizeSum<T>(QuantizedMeanParams q, long count) : ISumFinish<T> where T : IBinaryInteger<T>
{
    public T Finish(long sum) => T.CreateTruncating(q.Requantize(sum, count));
}

/// <summary>
/// int8 / int16 REDUCE_PROD (TFLite's reference_ops::QuantizedReduceProd): the first element less zp_in, then each
/// product with the next (x − zp_in) in int64 rescaled by the 64-bit MultiplyByQuantizedMultiplier (truncated to
/// int32); finished by one more rescale, + zp_out, clamped (<see cref="QuantizedProductParams"/>).
/// </summary>
internal readonly struct QuantizedProductFold<T>(QuantizedProductParams q) : IIntegerFold<T> where T : IBinaryInteger<T>
{
    public long First(T x) => int.CreateTruncating(x) - q.InputZeroPoint;

    public long Next(long accumulator, T x) =>
        Quantization.MultiplyByQuantizedMultiplier(accumulator * (int.CreateTruncating(x) - q.InputZeroPoint), q.Multiplier);

    public T Finish(long accumulator) => T.CreateTruncating(q.Finish((int)accumulator));
}

/// <summary>The integer reductions' walk, shared by MEAN, SUM and REDUCE_PROD's integer forms.</summary>
internal static class IntegerReduction
{
    /// <summary>
    /// One pass over the input, output by output: for each combination of the kept dimensions, its reduced elements
    /// in the input's row-major order folded by <paramref name="fold"/>. Every output must have at least one element
    /// (the callers handle an empty input or reduced dimension). An earlier version walked the whole input once per
    /// block of 256 outputs — quadratic, found by the fuzzer (docs/fuzzing.md).
    /// </summary>
    public static void Walk<T, TFold>(ReadOnlySpan<T> input, Span<T> output, ImmutableArray<int> dims, ImmutableArray<bool> reduced,
        ImmutableArray<int> outputStrides, TFold fold)
        where T : unmanaged where TFold : struct, IIntegerFold<T>
    {
        int rank = dims.Length;
        Span<int> inputStrides = stackalloc int[rank];
        for (int d = rank - 1, stride = 1; d >= 0; stride *= dims[d], d--) inputStrides[d] = stride;
        Span<int> kept = stackalloc int[rank];
        Span<int> inner = stackalloc int[rank];
        while (true)
        {
            int inputBase = 0, o = 0;
            for (int d = 0; d < rank; d++)
            {
                inputBase += kept[d] * inputStrides[d];
                o += kept[d] * outputStrides[d];
            }
            inner.Clear();
            long accumulator = fold.First(input[inputBase]);
            while (Advance(inner, dims, reduced, wantReduced: true))
            {
                int offset = inputBase;
                for (int d = 0; d < rank; d++) offset += inner[d] * inputStrides[d];
                accumulator = fold.Next(accumulator, input[offset]);
            }
            output[o] = fold.Finish(accumulator);
            if (!Advance(kept, dims, reduced, wantReduced: false)) break;
        }
    }

    /// <summary>Row-major odometer step over the dimensions whose Reduced flag is <paramref name="wantReduced"/>; false when done.</summary>
    private static bool Advance(Span<int> counter, ImmutableArray<int> dims, ImmutableArray<bool> reduced, bool wantReduced)
    {
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            if (reduced[d] != wantReduced) continue;
            if (++counter[d] < dims[d]) return true;
            counter[d] = 0;
        }
        return false;
    }
}
