using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// TOPK_V2 (docs/numerics.md §TOPK_V2): per row, the k elements that come first in the order "larger value first, NaN
/// above every number, equal values (±0 alike) by lower index", in that order. Each row is one pass in index order that
/// inserts an element into the sorted first k when it comes strictly before the last kept one; the sorted indices are
/// built in the indices output itself (no scratch memory). With k computed at run time, k is checked and the outputs
/// sized here.
/// </summary>
[OpCodes(BuiltinOperator.TopKV2)]
internal sealed class TopKV2Kernel : ReferenceKernel<TopKV2Params>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.TopKV2];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.TopKV2).Types;

    protected override void Invoke(KernelContext context, TopKV2Params p)
    {
        var input = context.Input(0);
        int k = p.K ?? TopKV2Definition.CheckK(context, context.Input(1).Read<int>()[0], p.RowSize);
        if (p.K is null)
        {
            Span<int> shape = stackalloc int[input.Rank];
            TopKV2Definition.OutputShape(input, k, shape);
            context.ResizeOutput(0, shape);
            context.ResizeOutput(1, shape);
        }
        var indices = context.Output(1).Write<int>();
        switch (input.Type)
        {
            case TensorType.Float32: Run(input.Read<float>(), context.Output(0).Write<float>(), indices, p, k); break;
            case TensorType.Int32: Run(input.Read<int>(), context.Output(0).Write<int>(), indices, p, k); break;
            case TensorType.Int64: Run(input.Read<long>(), context.Output(0).Write<long>(), indices, p, k); break;
            case TensorType.UInt8: Run(input.Read<byte>(), context.Output(0).Write<byte>(), indices, p, k); break;
            default: Run(input.Read<sbyte>(), context.Output(0).Write<sbyte>(), indices, p, k); break;
        }
    }

    private static void Run<T>(ReadOnlySpan<T> x, Span<T> values, Span<int> indices, TopKV2Params p, int k) where T : INumber<T>
    {
        if (k == 0) return;
        for (int row = 0; row < p.Rows; row++)
        {
            var data = x.Slice(row * p.RowSize, p.RowSize);
            var top = indices.Slice(row * k, k);
            int kept = 0;
            for (int i = 0; i < data.Length; i++)
            {
                // Position of element i among the kept ones: after every kept element that is not below it (earlier
                // indices win ties), so it goes in only when it is strictly above the last kept element.
                if (kept == k && !Above(data[i], data[top[k - 1]])) continue;
                int at = kept == k ? k - 1 : kept;
                while (at > 0 && Above(data[i], data[top[at - 1]]))
                {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = i;
                if (kept < k) kept++;
            }
            var outValues = values.Slice(row * k, k);
            for (int j = 0; j < k; j++) outValues[j] = data[top[j]];
        }
    }

    /// <summary>a comes strictly before b: a larger value, or a NaN over a number (NaNs tie with each other).</summary>
    private static bool Above<T>(T a, T b) where T : INumber<T> => a > b || T.IsNaN(a) && !T.IsNaN(b);
}
