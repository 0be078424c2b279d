using Accel.Kernels;
using Accel.Kernels.Geometry;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>RESIZE_BILINEAR's per-row and per-column source coordinates, neighbours and weights (TFLite's float ops).</summary>
public sealed record ResizeBilinearParams(ResizeBilinearAxis Rows, ResizeBilinearAxis Columns, bool AlignCorners, bool HalfPixelCenters) : OpParams;

/// <summary>RESIZE_BILINEAR, float32 NHWC, constant size; TFLite's resize_bilinear.cc Prepare.</summary>
internal sealed class ResizeBilinearDefinition : OpDefinition<ResizeBilinearParams>
{
    public override OpId Op => BuiltinOperator.ResizeBilinear;
    public override int MaxVersion => 4;

    protected override ResizeBilinearParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type != TensorType.Float32)
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; this kernel supports float32 only");
        context.ExpectType(output, TensorType.Float32, "output");
        context.ExpectRank(input, 4, "input");
        var options = context.Options is null ? new ResizeBilinearOptions(false, false) : context.OptionsAs<ResizeBilinearOptions>();
        if (options.AlignCorners && options.HalfPixelCenters)
            throw context.Error("align_corners and half_pixel_centers cannot both be true");

        var sizeTensor = context.Input(1);
        if (sizeTensor.Rank != 1 || sizeTensor.Dim(0) != 2)
            throw context.Error($"size '{sizeTensor.Name}' must have shape [2], has {ConstantInputs.Format(sizeTensor.Shape)}");
        int[] size = ConstantInputs.ReadIntegers(context, sizeTensor, "size");
        if (size[0] <= 0 || size[1] <= 0)
            throw context.Error($"output size {ConstantInputs.Format(size)} must be positive");

        int inputHeight = input.Dim(1), inputWidth = input.Dim(2);
        if (inputHeight <= 0 || inputWidth <= 0)
            throw context.Error($"input '{input.Name}' has an empty spatial size {ConstantInputs.Format(input.Shape)}");
        var rows = ResizeBilinearAxis.Create(size[0], inputHeight, options);
        var columns = ResizeBilinearAxis.Create(size[1], inputWidth, options);
        context.SetOutputShape(0, [input.Dim(0), size[0], size[1], input.Dim(3)]);
        return new ResizeBilinearParams(rows, columns, options.AlignCorners, options.HalfPixelCenters)
        {
            Cost = new OpCost(0, output.ElementCount, CostMath.BytesTouched(context)),
        };
    }
}
