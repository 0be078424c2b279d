using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// ARG_MAX and ARG_MIN (docs/numerics.md §ARG_MAX, ARG_MIN), TFLite's reference ArgMinMax: along the axis, the best
/// value starts at the first element (index 0) and a later element replaces it only when strictly greater (ARG_MAX)
/// or strictly less (ARG_MIN). Ties keep the first index; a NaN never replaces (every comparison with it is false),
/// so a NaN first element is kept and a NaN elsewhere is skipped. −0 and +0 tie.
/// </summary>
internal abstract class ArgMinMaxKernel : ReferenceKernel<ArgMinMaxParams>
{
    protected abstract BuiltinOperator Op { get; }

    public override IReadOnlyList<OpId> Ops => [Op];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(Op).Types;

    protected override void Invoke(KernelContext context, ArgMinMaxParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (input.Type)
        {
            case TensorType.Float32: Run(input.Read<float>(), output, p); break;
            case TensorType.UInt8: Run(input.Read<byte>(), output, p); break;
            case TensorType.Int8: Run(input.Read<sbyte>(), output, p); break;
            default: Run(input.Read<int>(), output, p); break;
        }
    }

    private static void Run<T>(ReadOnlySpan<T> input, Tensor output, ArgMinMaxParams p) where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        if (p.OutputType == TensorType.Int32)
        {
            var indices = output.Write<int>();
            for (int o = 0; o < p.Outer; o++)
                for (int i = 0; i < p.Inner; i++)
                    indices[o * p.Inner + i] = BestIndex(input, p, o, i);
        }
        else
        {
            var indices = output.Write<long>();
            for (int o = 0; o < p.Outer; o++)
                for (int i = 0; i < p.Inner; i++)
                    indices[o * p.Inner + i] = BestIndex(input, p, o, i);
        }
    }

    /// <summary>The index along the axis of the first best element of row (outer, inner).</summary>
    internal static int BestIndex<T>(ReadOnlySpan<T> input, ArgMinMaxParams p, int outer, int inner) where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        int start = outer * p.AxisSize * p.Inner + inner;
        T best = input[start];
        int bestIndex = 0;
        for (int k = 1; k < p.AxisSize; k++)
        {
            T value = input[start + k * p.Inner];
            if (p.IsMax ? value > best : value < best)
            {
                best = value;
                bestIndex = k;
            }
        }
        return bestIndex;
    }
}

[OpCodes(BuiltinOperator.ArgMax)]
internal sealed class ArgMaxKernel : ArgMinMaxKernel
{
    protected override BuiltinOperator Op => BuiltinOperator.ArgMax;
}

[OpCodes(BuiltinOperator.ArgMin)]
internal sealed class ArgMinKernel : ArgMinMaxKernel
{
    protected override BuiltinOperator Op => BuiltinOperator.ArgMin;
}
