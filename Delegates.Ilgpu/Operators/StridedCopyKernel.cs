using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO (float32): the definition's
/// strided view, output element i = input[offset + Σ c[d]·strides[d]] at its row-major coordinate c; the view's
/// dimensions and strides are uploaded once as small tables. Values are moved, never computed on.
/// </summary>
[OpCodes(BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2, BuiltinOperator.Tile, BuiltinOperator.BroadcastTo)]
internal sealed class StridedCopyKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2,
        BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, // SQUEEZE, EXPAND_DIMS: ReshapeKernel (a byte copy, every dtype)
    ];

    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<StridedCopyParams>();
        Launch(c, c.View(node.Inputs[0]!), c.View(node.Outputs[0]), [.. p.Dims], [.. p.Strides], p.Offset);
    }

    /// <summary>Adds one launch copying the view <paramref name="dims"/>/<paramref name="strides"/>/<paramref name="offset"/> of input to output.</summary>
    public static void Launch(IlgpuCompilation c, ArrayView<float> input, ArrayView<float> output, int[] dims, int[] strides, int offset)
    {
        long total = 1;
        foreach (int d in dims) total *= d;
        if (total == 0) return;
        var dimsTable = c.Upload(dims.Length == 0 ? [1] : dims);
        var stridesTable = c.Upload(strides.Length == 0 ? [0] : strides);
        var view = new StridedView(dims.Length, offset, checked((int)total));
        var (chunks, chunkSize) = c.Split(total, 2L * Math.Max(1, dims.Length));
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, StridedView, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, dimsTable, stridesTable, view, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ArrayView<int> dims, ArrayView<int> strides,
        StridedView v, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < v.Total ? start + chunkSize : v.Total;
        for (int i = start; i < end; i++)
        {
            int rest = i;
            int from = v.Offset;
            for (int d = v.Rank - 1; d >= 0; d--)
            {
                int dim = dims[d];
                from += rest % dim * strides[d];
                rest /= dim;
            }
            output[i] = input[from];
        }
    }
}

/// <summary>A strided view's rank, first input element and output element count (dimensions and strides are tables).</summary>
internal readonly struct StridedView(int rank, int offset, int total)
{
    public readonly int Rank = rank;
    public readonly int Offset = offset;
    public readonly int Total = total;
}
