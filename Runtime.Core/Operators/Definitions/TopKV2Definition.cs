using Accel.Kernels;

namespace Accel.Operators.Definitions;

/// <summary>
/// TOPK_V2's validated layout: <see cref="Rows"/> rows of <see cref="RowSize"/> elements (the last dimension), and k
/// when it is a constant (null: k is computed at run time, the outputs are dynamic and the kernel checks k at Invoke).
/// </summary>
public sealed record TopKV2Params(int? K, int Rows, int RowSize) : OpParams;

/// <summary>
/// TOPK_V2: per row of the last dimension, the k largest values in decreasing order and their int32 indices, ties by
/// the lower index (topk_v2.cc); float32, int32, int64, uint8, int8. k is an int32 tensor of one element.
/// </summary>
[OpCodes(BuiltinOperator.TopKV2)]
internal sealed class TopKV2Definition : OpDefinition<TopKV2Params>
{
    public override OpId Op => BuiltinOperator.TopKV2;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.UInt8, TensorType.Int8];

    protected override TopKV2Params PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 2);
        var input = context.Input(0);
        var k = context.Input(1);
        if (!Types.Contains(input.Type))
            throw context.Error($"input '{input.Name}' must be float32, int32, int64, uint8 or int8, is {input.Type.ToDisplayName()}");
        if (input.Rank < 1) throw context.Error($"input '{input.Name}' must have rank >= 1, is a scalar");
        context.ExpectType(context.Output(0), input.Type, "values output");
        context.ExpectType(context.Output(1), TensorType.Int32, "indices output");
        context.ExpectType(k, TensorType.Int32, "k");
        if (k.ElementCount != 1) throw context.Error($"k '{k.Name}' must hold one value, has shape [{string.Join(",", k.Shape.ToArray())}]");
        int rowSize = input.Dim(input.Rank - 1);
        int rows = rowSize == 0 ? 0 : checked((int)(input.ElementCount / rowSize));
        int? constantK = null;
        if (k.IsConstant)
        {
            constantK = CheckK(context, k.Read<int>()[0], rowSize);
            Span<int> shape = stackalloc int[input.Rank];
            OutputShape(input, constantK.Value, shape);
            context.SetOutputShape(0, shape);
            context.SetOutputShape(1, shape);
        }
        else
        {
            context.SetOutputDynamic(0);
            context.SetOutputDynamic(1);
        }
        return new TopKV2Params(constantK, rows, rowSize)
        {
            // One comparison per element and kept value (the insertion into the sorted top k), as element ops.
            Cost = new OpCost(0, CostMath.Product(input.ElementCount, Math.Max(constantK ?? 1, 1)), CostMath.BytesTouched(context)),
        };
    }

    /// <summary>k must be in [0, row size] (TFLite: "TopK k is higher than the internal dimension"; a negative k is refused too).</summary>
    public static int CheckK(KernelContext context, int k, int rowSize)
    {
        if (k < 0) throw context.Error($"k must not be negative, is {k}");
        if (k > rowSize) throw context.Error($"k = {k} is higher than the last dimension ({rowSize})");
        return k;
    }

    /// <summary>The input's shape with the last dimension replaced by k.</summary>
    public static void OutputShape(Tensor input, int k, Span<int> shape)
    {
        input.Shape.CopyTo(shape);
        shape[^1] = k;
    }
}
