using Accel.Kernels;
using Accel.Kernels.Geometry;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR's source row of every output row and source column of every output column (TFLite's
/// float index rule, computed once here), and the element size of the data moved.
/// </summary>
public sealed record ResizeNearestNeighborParams(ReadOnlyMemory<int> SourceRows, ReadOnlyMemory<int> SourceColumns,
    bool AlignCorners, bool HalfPixelCenters, int ElementSize) : OpParams;

/// <summary>RESIZE_NEAREST_NEIGHBOR, NHWC, constant size; TFLite's resize_nearest_neighbor.cc Prepare.</summary>
[OpCodes(BuiltinOperator.ResizeNearestNeighbor)]
internal sealed class ResizeNearestNeighborDefinition : OpDefinition<ResizeNearestNeighborParams>
{
    public override OpId Op => BuiltinOperator.ResizeNearestNeighbor;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.UInt8, TensorType.Int8, TensorType.Int16];

    protected override ResizeNearestNeighborParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (!Types.Contains(input.Type))
            throw context.Error(
                $"input '{input.Name}' is {input.Type.ToDisplayName()}; RESIZE_NEAREST_NEIGHBOR supports float32, uint8, int8 and int16");
        context.ExpectType(output, input.Type, "output");
        context.ExpectRank(input, 4, "input");
        QuantizedDataMovement.ExpectSameQuantization(context, input, output);
        var options = context.Options is null
            ? new ResizeNearestNeighborOptions(false, false)
            : context.OptionsAs<ResizeNearestNeighborOptions>();

        var sizeTensor = context.Input(1);
        if (sizeTensor.Rank != 1 || sizeTensor.Dim(0) != 2)
            throw context.Error($"size '{sizeTensor.Name}' must have shape [2], has {ConstantInputs.Format(sizeTensor.Shape)}");
        int[] size = RunTimeParameters.ReadIntegers(context, sizeTensor, "size", allowInt64: false);
        if (size[0] <= 0 || size[1] <= 0)
            throw context.Error($"output size {ConstantInputs.Format(size)} must be positive");
        int inputHeight = input.Dim(1), inputWidth = input.Dim(2);
        if (inputHeight <= 0 || inputWidth <= 0)
            throw context.Error($"input '{input.Name}' has an empty spatial size {ConstantInputs.Format(input.Shape)}");
        // Int128: four int32 factors can overflow a long (fuzzer finding: 1 x 1826699408 x 2042233788 x 3 wrapped).
        if ((Int128)input.Dim(0) * size[0] * size[1] * input.Dim(3) > int.MaxValue)
            throw context.Error($"output size {ConstantInputs.Format(size)} on input {ConstantInputs.Format(input.Shape)} has more than 2^31 - 1 elements");

        // Shape first, then the tables' reservation: both are refused over the limits before any table exists.
        context.SetOutputShape(0, [input.Dim(0), size[0], size[1], input.Dim(3)]);
        context.ReserveWorkspace(4L * ((long)size[0] + size[1]), "the per-row/column source index tables");
        var rows = ResizeNearestNeighborAxis.SourceIndices(size[0], inputHeight, options.AlignCorners, options.HalfPixelCenters);
        var columns = ResizeNearestNeighborAxis.SourceIndices(size[1], inputWidth, options.AlignCorners, options.HalfPixelCenters);
        return new ResizeNearestNeighborParams(rows, columns, options.AlignCorners, options.HalfPixelCenters, input.Type.ElementSize())
        {
            Cost = new OpCost(0, 0, CostMath.BytesTouched(context)),
        };
    }
}
