using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// Where SELECT / SELECT_V2 read each output element: the output shape and, per output dimension, the element stride of
/// the condition, x and y (0 along a dimension an operand repeats). SELECT's rank-one and scalar conditions and
/// SELECT_V2's NumPy broadcasting are all written this way, so every kernel runs one loop.
/// </summary>
public sealed class SelectLayout
{
    private readonly int[] _shape, _condition, _x, _y;

    internal SelectLayout(int[] shape, int[] condition, int[] x, int[] y)
    {
        _shape = shape;
        _condition = condition;
        _x = x;
        _y = y;
        ElementCount = checked((int)CostMath.Product(shape.Select(d => (long)d).ToArray()));
    }

    public ReadOnlySpan<int> OutputShape => _shape;
    public ReadOnlySpan<int> ConditionStrides => _condition;
    public ReadOnlySpan<int> XStrides => _x;
    public ReadOnlySpan<int> YStrides => _y;

    /// <summary>Output elements.</summary>
    public int ElementCount { get; }

    /// <summary>
    /// NumPy broadcasting of the three shapes (aligned at their last dimension; each dimension equal or 1), or null when
    /// they do not broadcast.
    /// </summary>
    internal static SelectLayout? Broadcast(ReadOnlySpan<int> condition, ReadOnlySpan<int> x, ReadOnlySpan<int> y)
    {
        int rank = Math.Max(condition.Length, Math.Max(x.Length, y.Length));
        var shape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int dc = DimAligned(condition, d, rank), dx = DimAligned(x, d, rank), dy = DimAligned(y, d, rank);
            int size = 1;
            foreach (int s in (ReadOnlySpan<int>)[dc, dx, dy])
            {
                if (s == 1) continue;
                if (size != 1 && size != s) return null;
                size = s;
            }
            shape[d] = size;
        }
        return new SelectLayout(shape, Strides(condition, shape), Strides(x, shape), Strides(y, shape));
    }

    /// <summary>SELECT's rank-one condition: condition[i] picks x or y for the whole slice i of dimension 0.</summary>
    internal static SelectLayout RankOne(ReadOnlySpan<int> shape)
    {
        var condition = new int[shape.Length];
        condition[0] = 1;
        var dense = Strides(shape, shape.ToArray());
        return new SelectLayout(shape.ToArray(), condition, dense, dense.ToArray());
    }

    private static int DimAligned(ReadOnlySpan<int> shape, int d, int rank) =>
        d - (rank - shape.Length) >= 0 ? shape[d - (rank - shape.Length)] : 1;

    /// <summary>Row-major element strides of <paramref name="shape"/> aligned to <paramref name="output"/>; 0 where it repeats.</summary>
    private static int[] Strides(ReadOnlySpan<int> shape, int[] output)
    {
        var strides = new int[output.Length];
        int run = 1;
        for (int d = output.Length - 1; d >= 0; d--)
        {
            int size = DimAligned(shape, d, output.Length);
            strides[d] = size == 1 ? 0 : run;
            run = checked(run * size);
        }
        return strides;
    }
}

/// <summary>SELECT / SELECT_V2's validated params: where each output element comes from.</summary>
public sealed record SelectParams(SelectLayout Layout) : OpParams;

/// <summary>
/// SELECT and SELECT_V2 (TFLite's select.cc Prepare): a bool condition, x and y of one dtype (bool, float32, uint8, int8,
/// int16, int32, int64), out = condition ? x : y. Same shapes everywhere select element-wise; otherwise SELECT takes a
/// scalar condition (all of x or all of y) or a rank-one condition matching x's first dimension (x and y then equal),
/// SELECT_V2 broadcasts the three shapes NumPy-style (any rank). Types lists the value dtypes (x's); the condition is
/// always bool. Cost: one element op per output element.
/// </summary>
internal abstract class SelectDefinitionBase : OpDefinition<SelectParams>
{
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Bool, TensorType.Float32, TensorType.UInt8, TensorType.Int8, TensorType.Int16, TensorType.Int32, TensorType.Int64];

    /// <summary>The layout of shapes that are not all equal, or an error.</summary>
    protected abstract SelectLayout LayoutOfDifferentShapes(KernelContext context, Tensor condition, Tensor x, Tensor y);

    protected override SelectParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(3, 3, 1);
        var condition = context.Input(0);
        var x = context.Input(1);
        var y = context.Input(2);
        context.ExpectType(condition, TensorType.Bool, "condition");
        if (!Types.Contains(x.Type))
            throw context.Error($"input x '{x.Name}' is {x.Type.ToDisplayName()}; {Op.Name} supports {UnaryElementwise.Describe(Types)} only");
        context.ExpectType(y, x.Type, "input y");
        context.ExpectType(context.Output(0), x.Type, "output");
        bool sameShapes = condition.Shape.SequenceEqual(x.Shape) && x.Shape.SequenceEqual(y.Shape);
        var layout = sameShapes ? SelectLayout.Broadcast(x.Shape, x.Shape, x.Shape)! : LayoutOfDifferentShapes(context, condition, x, y);
        context.SetOutputShape(0, layout.OutputShape);
        return new SelectParams(layout)
        {
            Cost = new OpCost(0, layout.ElementCount, CostMath.BytesTouched(context)),
        };
    }

    protected static string ShapeOf(Tensor t) => $"[{string.Join(",", t.Shape.ToArray())}] ('{t.Name}')";
}

/// <summary>SELECT, versions 1–4: same shapes, a scalar condition, or a rank-one condition over x's first dimension.</summary>
[OpCodes(BuiltinOperator.Select)]
internal sealed class SelectDefinition : SelectDefinitionBase
{
    public override OpId Op => BuiltinOperator.Select;
    public override int MaxVersion => 4;

    protected override SelectLayout LayoutOfDifferentShapes(KernelContext context, Tensor condition, Tensor x, Tensor y)
    {
        if (!x.Shape.SequenceEqual(y.Shape))
            throw context.Error($"x {ShapeOf(x)} and y {ShapeOf(y)} must have the same shape (SELECT does not broadcast; SELECT_V2 does)");
        if (condition.Rank == 0) return SelectLayout.Broadcast([], x.Shape, x.Shape)!;
        if (condition.Rank == 1 && x.Rank >= 1 && condition.Dim(0) == x.Dim(0)) return SelectLayout.RankOne(x.Shape);
        throw context.Error(
            $"condition {ShapeOf(condition)} must have x's shape {ShapeOf(x)}, be a scalar, or be rank 1 of x's first dimension");
    }
}

/// <summary>SELECT_V2, versions 1–2: condition, x and y broadcast NumPy-style to the output.</summary>
[OpCodes(BuiltinOperator.SelectV2)]
internal sealed class SelectV2Definition : SelectDefinitionBase
{
    public override OpId Op => BuiltinOperator.SelectV2;
    public override int MaxVersion => 2;

    protected override SelectLayout LayoutOfDifferentShapes(KernelContext context, Tensor condition, Tensor x, Tensor y) =>
        SelectLayout.Broadcast(condition.Shape, x.Shape, y.Shape)
        ?? throw context.Error(
            $"condition {ShapeOf(condition)}, x {ShapeOf(x)} and y {ShapeOf(y)} do not broadcast: aligned from the last " +
            "dimension, each dimension must be equal or 1");
}
