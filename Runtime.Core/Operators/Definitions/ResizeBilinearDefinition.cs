using Accel.Kernels;
using Accel.Kernels.Geometry;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>RESIZE_BILINEAR's per-row and per-column source coordinates, neighbours and weights (TFLite's float ops).</summary>
public sealed record ResizeBilinearParams(ResizeBilinearAxis Rows, ResizeBilinearAxis Columns, bool AlignCorners, bool HalfPixelCenters) : OpParams
{
    /// <summary>
    /// int8/uint8: TFLite's ResizeBilinearInteger steps, input size / output size in Q10 per axis (rounded); null for float32.
    /// </summary>
    public QuantizedResizeParams? Quantized { get; init; }
}

/// <summary>The Q10 source steps of an integer RESIZE_BILINEAR (values are not rescaled: input and output share their quantization).</summary>
public sealed record QuantizedResizeParams(int HeightScale10, int WidthScale10);

/// <summary>RESIZE_BILINEAR, float32 NHWC, constant size; TFLite's resize_bilinear.cc Prepare.</summary>
[OpCodes(BuiltinOperator.ResizeBilinear)]
internal sealed class ResizeBilinearDefinition : OpDefinition<ResizeBilinearParams>
{
    public override OpId Op => BuiltinOperator.ResizeBilinear;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ResizeBilinearParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        bool quantized = QuantizedParams.IsQuantizedType(input.Type) || input.Type == TensorType.Int16;
        if (input.Type != TensorType.Float32 && !quantized)
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; this kernel supports float32, int8, uint8 and int16 only");
        context.ExpectType(output, input.Type, "output");
        context.ExpectRank(input, 4, "input");
        var options = context.Options is null ? new ResizeBilinearOptions(false, false) : context.OptionsAs<ResizeBilinearOptions>();
        if (options.AlignCorners && options.HalfPixelCenters)
            throw context.Error("align_corners and half_pixel_centers cannot both be true");

        var sizeTensor = context.Input(1);
        if (sizeTensor.Rank != 1 || sizeTensor.Dim(0) != 2)
            throw context.Error($"size '{sizeTensor.Name}' must have shape [2], has {ConstantInputs.Format(sizeTensor.Shape)}");
        int[] size = RunTimeParameters.ReadIntegers(context, sizeTensor, "size", allowInt64: false);
        if (size[0] <= 0 || size[1] <= 0)
            throw context.Error($"output size {ConstantInputs.Format(size)} must be positive");

        int inputHeight = input.Dim(1), inputWidth = input.Dim(2);
        if (inputHeight <= 0 || inputWidth <= 0)
            throw context.Error($"input '{input.Name}' has an empty spatial size {ConstantInputs.Format(input.Shape)}");
        // The per-row/column tables below are sized by the requested output: refuse an output that cannot exist
        // before allocating them (found by the fuzzer: a mutated size of 1879048201 × 4259853 allocated for minutes).
        long outputElements = (long)input.Dim(0) * size[0] * size[1] * input.Dim(3);
        if ((long)size[0] * size[1] > int.MaxValue || outputElements > int.MaxValue)
            throw context.Error($"output size {ConstantInputs.Format(size)} gives more than 2^31-1 elements");
        // The integer kernels' Q10 steps (null for float, and for an input too large for Q10 coordinates, refused below).
        QuantizedResizeParams? steps = quantized && inputHeight < 1 << 20 && inputWidth < 1 << 20
            ? new QuantizedResizeParams(Scale10(inputHeight, size[0], options.AlignCorners), Scale10(inputWidth, size[1], options.AlignCorners))
            : null;
        if (steps is not null)
        {
            // Before the output is resized, so that a refused run-time size leaves it as it was.
            RequireSourcesInside(context, "row", size[0], steps.HeightScale10, options.HalfPixelCenters, inputHeight, input);
            RequireSourcesInside(context, "column", size[1], steps.WidthScale10, options.HalfPixelCenters, inputWidth, input);
        }
        // Shape first: SetOutputShape refuses an output over InterpreterOptions.MaxTensorBytes before the tables exist.
        context.SetOutputShape(0, [input.Dim(0), size[0], size[1], input.Dim(3)]);
        // Five 4-byte entries per output row and column (fuzzer finding: a size of 1 × 2^30 asked for 20 GiB of tables).
        context.ReserveWorkspace(20L * ((long)size[0] + size[1]), "the per-row/column interpolation tables");
        var rows = ResizeBilinearAxis.Create(size[0], inputHeight, options);
        var columns = ResizeBilinearAxis.Create(size[1], inputWidth, options);
        if (quantized)
        {
            if (input.Type == TensorType.Int16)
            {
                // int16x8 (resize_bilinear.cc): symmetric; the same integer interpolation on int16 values.
                Int16x8.Activation(context, input, "input");
                Int16x8.Activation(context, output, "output");
            }
            else
            {
                QuantizedParams.PerTensor(context, input, "input");
                QuantizedParams.PerTensor(context, output, "output");
            }
            // Q10 coordinates: in · 2^10 and the products o · step must fit an int.
            if (steps is null)
                throw context.Error($"input '{input.Name}' is too large for the integer resize's Q10 coordinates (2^20 rows or columns)");
        }
        return new ResizeBilinearParams(rows, columns, options.AlignCorners, options.HalfPixelCenters)
        {
            Cost = new OpCost(0, output.ElementCount, CostMath.BytesTouched(context)),
            Quantized = steps,
        };
    }

    /// <summary>
    /// The integer steps' lower neighbour of every output position must lie inside the input. The rounded Q10 step can
    /// drift past the last row or column when the output is much larger than the input (5 rows to 200: step 26,
    /// output row 197 → source row 5), where TFLite's ResizeBilinearInteger reads outside the input (the next batch's
    /// pixels, or past the tensor for the last batch): a clear error here instead. The lower neighbour never decreases
    /// along the axis, so the last position decides.
    /// </summary>
    private static void RequireSourcesInside(KernelContext context, string axis, int outputSize, int scale10, bool halfPixelCenters, int inputSize, Tensor input)
    {
        var (_, lower, _) = QuantizedKernels.Interpolation(outputSize - 1, scale10, halfPixelCenters, inputSize);
        if (lower >= inputSize)
            throw context.Error($"output {axis} {outputSize - 1} of {outputSize}: the integer resize's Q10 step {scale10} puts its source {axis} at {lower}, past input '{input.Name}''s {inputSize} (TFLite's integer kernel reads outside the input there)");
    }

    /// <summary>reference_ops::ResizeBilinearInteger's step in Q10: (2^10·in + out/2) / out; align_corners with out &gt; 1: (in − 1) over (out − 1).</summary>
    private static int Scale10(int inputSize, int outputSize, bool alignCorners) =>
        alignCorners && outputSize > 1
            ? ((1 << 10) * (inputSize - 1) + (outputSize - 1) / 2) / (outputSize - 1)
            : ((1 << 10) * inputSize + outputSize / 2) / outputSize;
}
