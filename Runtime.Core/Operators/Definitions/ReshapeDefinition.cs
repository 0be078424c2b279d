using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>RESHAPE's validated result: the new shape (a −1 resolved) and the bytes copied.</summary>
public sealed record ReshapeParams(System.Collections.Immutable.ImmutableArray<int> Shape, long Bytes) : OpParams;

/// <summary>RESHAPE, any fixed-size dtype: the shape from a constant int32 shape input or ReshapeOptions.new_shape; reshape.cc.</summary>
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

        int[] shape = RequestedShape(context);
        long inputCount = input.ElementCount;
        int stretch = -1;
        long known = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == -1)
            {
                if (stretch >= 0) throw context.Error($"new shape {ConstantInputs.Format(shape)} has more than one -1");
                stretch = d;
            }
            else if (shape[d] < 0)
                throw context.Error($"new shape {ConstantInputs.Format(shape)} has a negative dimension other than -1");
            else
            {
                known *= shape[d];
                if (known > int.MaxValue && inputCount <= int.MaxValue)
                    throw context.Error($"new shape {ConstantInputs.Format(shape)} has more elements than the 2^31-1 limit");
            }
        }
        if (stretch >= 0)
        {
            if (known == 0 && inputCount != 0)
                throw context.Error($"cannot infer the -1 in {ConstantInputs.Format(shape)}: the other dimensions multiply to 0");
            shape[stretch] = known == 0 ? 0 : (int)(inputCount / known);
            known *= shape[stretch];
        }
        if (known != inputCount)
            throw context.Error(
                $"cannot reshape {ConstantInputs.Format(input.Shape)} ({inputCount} elements) to {ConstantInputs.Format(shape)} ({known} elements)");
        context.SetOutputShape(0, shape);
        long bytes = inputCount * input.Type.ElementSize();
        return new ReshapeParams([.. shape], bytes) { Cost = new OpCost(0, 0, 2 * bytes) };
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
