namespace Accel.Kernels.Reference;

/// <summary>
/// RESHAPE (docs/numerics.md §RESHAPE). Mirrors TFLite's reshape.cc: the new shape comes from input 1 when it is a
/// rank-1 int32 tensor (which must then be a constant), otherwise from ReshapeOptions.new_shape (the legacy [0] meaning
/// a scalar). At most one dimension may be −1 and is inferred; the element count must not change. The data are copied
/// unchanged (any fixed-size dtype).
/// </summary>
public sealed class ReshapeKernel : IKernel
{
    private long _bytes;

    public void Prepare(KernelContext context)
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
            else known *= shape[d];
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
        _bytes = inputCount * input.Type.ElementSize();
        context.SetOutputShape(0, shape);
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

    public void Invoke(KernelContext context)
    {
        var source = context.Input(0).Bytes[..(int)_bytes];
        source.CopyTo(context.Output(0).WritableBytes); // CopyTo is overlap-safe, should input and output share memory
    }
}
