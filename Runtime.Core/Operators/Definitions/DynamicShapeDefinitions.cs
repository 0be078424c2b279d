using Accel.Kernels;

namespace Accel.Operators.Definitions;

// The shape operators (docs/numerics.md §SHAPE, §FILL, §ZEROS_LIKE, §RANGE): SHAPE reads only its input's shape and
// folds whenever that is fixed; FILL and RANGE take their output shape from input VALUES, so when those inputs are not
// constants their output is dynamic (TFLite's SetTensorToDynamic) and the reference kernel sets its shape at Invoke
// through the same function Prepare uses. TFLite: shape.cc, fill.cc, zeros_like.cc, range.cc.

/// <summary>SHAPE's validated result: the output dtype (int32 or int64) and the input's rank.</summary>
public sealed record ShapeParams(TensorType OutType, int Rank) : OpParams;

/// <summary>SHAPE: the input's shape as a rank-1 int32 or int64 tensor (ShapeOptions.out_type); any dtype in.</summary>
[OpCodes(BuiltinOperator.Shape)]
internal sealed class ShapeDefinition : OpDefinition<ShapeParams>
{
    public override OpId Op => BuiltinOperator.Shape;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = DynamicShapes.DataTypes;

    /// <summary>The output is the input's shape: it folds at AllocateTensors whenever that shape is fixed.</summary>
    public override bool ReadsInputShapesOnly => true;

    protected override ShapeParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        var outType = context.Options switch
        {
            null => TensorType.Int32,
            ShapeOptions o => o.OutType,
            var other => throw context.Error($"has {other.OptionsType} options; expected ShapeOptions"),
        };
        if (outType is not (TensorType.Int32 or TensorType.Int64))
            throw context.Error($"out_type must be int32 or int64, is {outType.ToDisplayName()}");
        context.ExpectType(output, outType, "output");
        context.SetOutputShape(0, [input.Rank]);
        return new ShapeParams(outType, input.Rank) { Cost = new OpCost(0, 0, (long)input.Rank * outType.ElementSize()) };
    }
}

/// <summary>
/// FILL's validated result: whether the shape comes from a dims tensor computed at run time (then the kernel sets it
/// at Invoke) and the element size of the value copied to every element.
/// </summary>
public sealed record FillParams(bool ShapeAtInvoke, int ElementSize) : OpParams;

/// <summary>FILL: a tensor of the shape in the int32/int64 dims tensor, every element the scalar value (float32, int32, int64, bool).</summary>
[OpCodes(BuiltinOperator.Fill)]
internal sealed class FillDefinition : OpDefinition<FillParams>
{
    public override OpId Op => BuiltinOperator.Fill;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Bool];

    protected override FillParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var dims = context.Input(0);
        var value = context.Input(1);
        var output = context.Output(0);
        context.ExpectRank(dims, 1, "dims");
        if (dims.Type is not (TensorType.Int32 or TensorType.Int64))
            throw context.Error($"dims '{dims.Name}' must be int32 or int64, is {dims.Type.ToDisplayName()}");
        context.ExpectRank(value, 0, "value");
        if (!Types.Contains(value.Type))
            throw context.Error($"value '{value.Name}' must be float32, int32, int64 or bool, is {value.Type.ToDisplayName()}");
        context.ExpectType(output, value.Type, "output");
        DynamicShapes.ExpectRankSupported(context, dims.Dim(0), "dims");
        bool atInvoke = !dims.IsConstant;
        if (atInvoke) context.SetOutputDynamic(0);
        else
        {
            Span<int> shape = stackalloc int[dims.Dim(0)];
            DynamicShapes.ReadDims(context, dims, "dims", shape);
            context.SetOutputShape(0, shape);
        }
        return new FillParams(atInvoke, value.Type.ElementSize())
        {
            Cost = new OpCost(0, 0, atInvoke ? 0 : CostMath.BytesTouched(context)),
        };
    }
}

/// <summary>ZEROS_LIKE's validated result: the bytes zeroed.</summary>
public sealed record ZerosLikeParams(long Bytes) : OpParams;

/// <summary>ZEROS_LIKE: zeros of the input's shape and dtype (float32, int32, int64).</summary>
[OpCodes(BuiltinOperator.ZerosLike)]
internal sealed class ZerosLikeDefinition : OpDefinition<ZerosLikeParams>
{
    public override OpId Op => BuiltinOperator.ZerosLike;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64];

    /// <summary>Zeros depend only on the input's shape: folded whenever that is fixed.</summary>
    public override bool ReadsInputShapesOnly => true;

    protected override ZerosLikeParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (!Types.Contains(input.Type))
            throw context.Error($"input '{input.Name}' must be float32, int32 or int64, is {input.Type.ToDisplayName()}");
        context.ExpectType(output, input.Type, "output");
        context.SetOutputShape(0, input.Shape);
        long bytes = input.ElementCount * input.Type.ElementSize();
        return new ZerosLikeParams(bytes) { Cost = new OpCost(0, 0, bytes) };
    }
}

/// <summary>RANGE's validated result: whether the length is known only at Invoke (inputs not constant), and the dtype.</summary>
public sealed record RangeParams(bool ShapeAtInvoke, TensorType Type) : OpParams;

/// <summary>RANGE: start, start + delta, … up to (excluding) limit; float32, int32, int64 scalars.</summary>
[OpCodes(BuiltinOperator.Range)]
internal sealed class RangeDefinition : OpDefinition<RangeParams>
{
    public override OpId Op => BuiltinOperator.Range;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64];

    protected override RangeParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(3, 3, 1);
        var start = context.Input(0);
        var limit = context.Input(1);
        var delta = context.Input(2);
        context.ExpectRank(start, 0, "start");
        context.ExpectRank(limit, 0, "limit");
        context.ExpectRank(delta, 0, "delta");
        if (!Types.Contains(start.Type))
            throw context.Error($"start '{start.Name}' must be float32, int32 or int64, is {start.Type.ToDisplayName()}");
        context.ExpectType(limit, start.Type, "limit");
        context.ExpectType(delta, start.Type, "delta");
        context.ExpectType(context.Output(0), start.Type, "output");
        bool atInvoke = !(start.IsConstant && limit.IsConstant && delta.IsConstant);
        if (atInvoke) context.SetOutputDynamic(0);
        else context.SetOutputShape(0, [Length(context)]);
        return new RangeParams(atInvoke, start.Type) { Cost = new OpCost(0, 0, atInvoke ? 0 : CostMath.BytesTouched(context)) };
    }

    /// <summary>
    /// The output length from the three scalars (Prepare for constants, the kernel at Invoke otherwise): delta 0, or a
    /// delta pointing away from limit, or a length over 2^31-1 is an error naming the node (TFLite's GetSize).
    /// </summary>
    public static int Length(KernelContext context)
    {
        var start = context.Input(0);
        switch (start.Type)
        {
            case TensorType.Float32:
            {
                float s = start.Read<float>()[0], l = context.Input(1).Read<float>()[0], d = context.Input(2).Read<float>()[0];
                CheckDirection(context, s < l, s > l, s == l, d > 0, d < 0, d == 0);
                // ceil(|(limit − start) / delta|): one rounded subtract, one rounded divide, as TFLite.
                float length = MathF.Ceiling(MathF.Abs((l - s) / d));
                if (!(length < 2147483648f)) // 2^31: the first float over int32
                    throw context.Error($"RANGE from {s} to {l} by {d} would have {length} elements, over the 2^31-1 limit");
                return (int)length;
            }
            case TensorType.Int32:
            {
                long s = start.Read<int>()[0], l = context.Input(1).Read<int>()[0], d = context.Input(2).Read<int>()[0];
                return IntegerLength(context, s, l, d);
            }
            default:
            {
                long s = start.Read<long>()[0], l = context.Input(1).Read<long>()[0], d = context.Input(2).Read<long>()[0];
                return IntegerLength(context, s, l, d);
            }
        }
    }

    private static int IntegerLength(KernelContext context, long s, long l, long d)
    {
        CheckDirection(context, s < l, s > l, s == l, d > 0, d < 0, d == 0);
        // (|limit − start| + |delta| − 1) / |delta| exactly (128-bit: int64 extremes do not overflow).
        Int128 span = Int128.Abs((Int128)l - s), step = Int128.Abs(d);
        Int128 length = (span + step - 1) / step;
        if (length > int.MaxValue)
            throw context.Error($"RANGE from {s} to {l} by {d} would have {length} elements, over the 2^31-1 limit");
        return (int)length;
    }

    private static void CheckDirection(KernelContext context, bool up, bool down, bool equal, bool positive, bool negative, bool zero)
    {
        if (zero) throw context.Error("delta must not be 0");
        // TFLite: (start >= limit && delta < 0) || (start <= limit && delta > 0); NaN fails both.
        if (!((down || equal) && negative || (up || equal) && positive))
            throw context.Error("delta must point from start towards limit (start <= limit with delta > 0, or start >= limit with delta < 0)");
    }
}
