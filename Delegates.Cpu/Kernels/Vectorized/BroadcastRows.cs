using System.Runtime.CompilerServices;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// NumPy broadcasting of two operands to an output shape, collapsed at compile time into rows: the output is
/// <see cref="Rows"/> contiguous rows of <see cref="RowLength"/> elements; along a row each operand either walks
/// (step 1) or repeats one element (step 0); between rows each operand moves by its strides over the outer dimensions.
/// Element values do not depend on how the iteration is organised, so any collapse is bit-identical to the reference.
/// </summary>
internal sealed class BroadcastRows
{
    private BroadcastRows(int rowLength, int aStep, int bStep, int[] outerDims, int[] aStrides, int[] bStrides)
    {
        RowLength = rowLength;
        AStep = aStep;
        BStep = bStep;
        OuterDims = outerDims;
        AOuterStrides = aStrides;
        BOuterStrides = bStrides;
        long rows = 1;
        foreach (int d in outerDims) rows *= d;
        Rows = (int)rows;
    }

    public int RowLength { get; }
    public int AStep { get; }
    public int BStep { get; }
    public int Rows { get; }

    /// <summary>Outer dimensions, outermost first (the row index is their row-major linearisation).</summary>
    public int[] OuterDims { get; }
    public int[] AOuterStrides { get; }
    public int[] BOuterStrides { get; }

    /// <summary>
    /// The rows of <paramref name="a"/> ⊕ <paramref name="b"/> → <paramref name="output"/>: shapes the definition
    /// validated (its BroadcastPlan) and whose broadcast output shape it set.
    /// </summary>
    public static BroadcastRows Create(ReadOnlySpan<int> a, ReadOnlySpan<int> b, ReadOnlySpan<int> output)
    {
        int rank = output.Length;
        // Per output dimension (dropping size-1 ones): size and each operand's element stride (0 = broadcast).
        var dims = new List<int>();
        var aStrides = new List<int>();
        var bStrides = new List<int>();
        long aStride = 1, bStride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int size = output[d];
            int ad = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int bd = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            if (size != 1)
            {
                dims.Insert(0, size);
                aStrides.Insert(0, ad == 1 ? 0 : (int)aStride);
                bStrides.Insert(0, bd == 1 ? 0 : (int)bStride);
            }
            aStride *= ad;
            bStride *= bd;
        }
        // Merge neighbours that both operands traverse as one (stride[d-1] = stride[d]·dim[d], including 0 = 0).
        for (int d = dims.Count - 1; d > 0; d--)
        {
            if ((long)aStrides[d - 1] == (long)aStrides[d] * dims[d] && (long)bStrides[d - 1] == (long)bStrides[d] * dims[d])
            {
                dims[d - 1] *= dims[d];
                aStrides[d - 1] = aStrides[d];
                bStrides[d - 1] = bStrides[d];
                dims.RemoveAt(d);
                aStrides.RemoveAt(d);
                bStrides.RemoveAt(d);
            }
        }
        if (dims.Count == 0) return new BroadcastRows(1, 0, 0, [], [], []);
        int last = dims.Count - 1;
        int rowLength = dims[last];
        int aStep = aStrides[last], bStep = bStrides[last];
        // The innermost collapsed dimension is contiguous (step 1) or broadcast (step 0) for each operand.
        return new BroadcastRows(rowLength, aStep, bStep, dims.Take(last).ToArray(), aStrides.Take(last).ToArray(),
            bStrides.Take(last).ToArray());
    }

    /// <summary>Element offsets of row <paramref name="row"/> in a and b, and its outer coordinates in <paramref name="index"/>.</summary>
    [MethodImpl(JitHints.Hot)]
    public (long A, long B) RowOffsets(int row, Span<int> index)
    {
        long aOffset = 0, bOffset = 0;
        for (int d = OuterDims.Length - 1; d >= 0; d--)
        {
            index[d] = row % OuterDims[d];
            row /= OuterDims[d];
            aOffset += (long)index[d] * AOuterStrides[d];
            bOffset += (long)index[d] * BOuterStrides[d];
        }
        return (aOffset, bOffset);
    }

    /// <summary>Moves <paramref name="index"/> and the offsets to the next row (an odometer step, no division).</summary>
    [MethodImpl(JitHints.Hot)]
    public void Advance(Span<int> index, ref long aOffset, ref long bOffset)
    {
        for (int d = OuterDims.Length - 1; d >= 0; d--)
        {
            aOffset += AOuterStrides[d];
            bOffset += BOuterStrides[d];
            if (++index[d] < OuterDims[d]) return;
            aOffset -= (long)AOuterStrides[d] * OuterDims[d];
            bOffset -= (long)BOuterStrides[d] * OuterDims[d];
            index[d] = 0;
        }
    }
}
