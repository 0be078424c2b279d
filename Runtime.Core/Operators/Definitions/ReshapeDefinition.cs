using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// RESHAPE's validated result: the new shape (a −1 resolved) and the bytes copied. With
/// <see cref="ShapeAtInvoke"/> the shape input is computed at run time: the output is dynamic, <see cref="Shape"/> is
/// empty and the kernel resolves the shape at Invoke by the same rules (<see cref="ReshapeDefinition.Resolve"/>).
/// </summary>
public sealed record ReshapeParams(System.Collections.Immutable.ImmutableArray<int> Shape, long Bytes) : OpParams
{
    public bool ShapeAtInvoke { get; init; }
}

/// <summary>
/// RESHAPE, any fixed-size dtype: the shape from an int32 shape input (a constant, or computed at run time: then the
/// output is dynamic) or ReshapeOptions.new_shape; reshape.cc.
/// </summary>
[OpCodes(BuiltinOperator.Reshape)]
internal sealed class ReshapeDefinition : OpDefinition<ReshapeParams>
{
    public override OpId Op => BuiltinOperator.Reshape;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16, TensorType.Bool];

    protected override ReshapeParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectType(output, input.Type, "output");
        if (input.Type.ElementSize() == 0)
            throw context.Error($"input '{input.Name}' has dtype {input.Type.ToDisplayName()}, which RESHAPE does not support");
        QuantizedDataMovement.ExpectSameQuantization(context, input, output);
        long bytes = input.ElementCount * input.Type.ElementSize();

        if (RunTimeShapeInput(context) is { } shapeTensor)
        {
            // TFLite's SetTensorToDynamic: the shape is read and checked at Invoke.
            DynamicShapes.ExpectRankSupported(context, shapeTensor.Dim(0), "shape input");
            context.SetOutputDynamic(0);
            return new ReshapeParams([], bytes) { ShapeAtInvoke = true, Cost = new OpCost(0, 0, 2 * bytes) };
        }
        int[] shape = RequestedShape(context);
        Resolve(context, shape, shape);
        context.SetOutputShape(0, shape);
        return new ReshapeParams([.. shape], bytes) { Cost = new OpCost(0, 0, 2 * bytes) };
    }

    /// <summary>
    /// Resolves a requested shape against the input's element count into <paramref name="resolved"/> (same length; may
    /// be the same span): at most one −1, inferred; no other negative dimension; the element count must not change.
    /// Prepare uses it for a constant shape, the kernel at Invoke for one computed at run time.
    /// </summary>
    public static void Resolve(KernelContext context, ReadOnlySpan<int> requested, Span<int> resolved)
    {
        var input = context.Input(0);
        long inputCount = input.ElementCount;
        int stretch = -1;
        long known = 1;
        for (int d = 0; d < requested.Length; d++)
        {
            int value = requested[d];
            if (value == -1)
            {
                if (stretch >= 0) throw context.Error($"new shape {ConstantInputs.Format(requested)} has more than one -1");
                stretch = d;
            }
            else if (value < 0)
                throw context.Error($"new shape {ConstantInputs.Format(requested)} has a negative dimension other than -1");
            else
            {
                known *= value;
                if (known > int.MaxValue && inputCount <= int.MaxValue)
                    throw context.Error($"new shape {ConstantInputs.Format(requested)} has more elements than the 2^31-1 limit");
            }
            resolved[d] = value;
        }
        if (stretch >= 0)
        {
            if (known == 0 && inputCount != 0)
                throw context.Error($"cannot infer the -1 in {ConstantInputs.Format(requested)}: the other dimensions multiply to 0");
            resolved[stretch] = known == 0 ? 0 : (int)(inputCount / known);
            known *= resolved[stretch];
        }
        if (known != inputCount)
            throw context.Error(
                $"cannot reshape {ConstantInputs.Format(input.Shape)} ({inputCount} elements) to {ConstantInputs.Format(resolved)} ({known} elements)");
    }

    /// <summary>The shape input when it is a rank-1 int32 tensor computed at run time (not a constant); otherwise null.</summary>
    private static Tensor? RunTimeShapeInput(KernelContext context)
    {
        var shapeTensor = context.OptionalInput(1);
        return shapeTensor is { Rank: 1, Type: TensorType.Int32, IsConstant: false } ? shapeTensor : null;
    }

    private static int[] RequestedShape(KernelContext context)
    {
        var shapeTensor = context.OptionalInput(1);
        if (shapeTensor is not null && shapeTensor.Rank == 1 && shapeTensor.Type == TensorType.Int32)
            return ConstantInputs.ReadIntegers(context, shapeTensor, "shape");
        int[]? newShape = (context.Options as ReshapeOptions)?.NewShape;
        if (context.Options is not null and not ReshapeOptions)
            throw context.Error($"has {context.Options.OptionsType} options; expected ReshapeOptions");
        if (newShape is null)
        {
            throw context.Error(shapeTensor is null
                ? "has neither a shape input nor ReshapeOptions.new_shape"
                : $"shape input '{shapeTensor.Name}' is not a rank-1 int32 tensor ({shapeTensor.Type.ToDisplayName()} " +
                  $"{ConstantInputs.Format(shapeTensor.Shape)}) and there is no ReshapeOptions.new_shape");
        }
        // Legacy converters wrote [0] for a scalar.
        return newShape is [0] ? [] : (int[])newShape.Clone();
    }
}
