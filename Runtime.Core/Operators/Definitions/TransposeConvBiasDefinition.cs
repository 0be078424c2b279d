using System.Buffers.Binary;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// MediaPipe's Convolution2DTransposeBias: input [N,H,W,Cin], weights [Cout,KH,KW,Cin], bias [Cout]; output row oy
/// gathers input row iy through tap ky where iy·StrideH − PadTop + ky = oy (likewise columns).
/// </summary>
public sealed record TransposeConvBiasParams(int StrideH, int StrideW, int PadTop, int PadLeft) : OpParams;

/// <summary>
/// Convolution2DTransposeBias (MediaPipe's custom op, mediapipe/util/tflite/operations/transpose_conv_bias.cc):
/// 12 bytes of custom options (TfLiteTransposeConvParams: padding, stride_width, stride_height as int32).
/// </summary>
[OpCodes(CustomOps.Convolution2DTransposeBias)]
internal sealed class TransposeConvBiasDefinition : OpDefinition<TransposeConvBiasParams>
{
    /// <summary>Length of the custom options.</summary>
    public const int CustomOptionsLength = 12;

    private const int PaddingUnknown = 0, PaddingSame = 1, PaddingValid = 2;

    public override OpId Op => OpId.OfCustom(CustomOps.Convolution2DTransposeBias);
    public override int MaxVersion => 1;

    protected override TransposeConvBiasParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(3, 3, 1);
        var input = context.Input(0);
        var weights = context.Input(1);
        var bias = context.Input(2);
        var output = context.Output(0);

        ReadOnlySpan<byte> options = context.CustomOptions.Span;
        if (options.Length != CustomOptionsLength)
            throw context.Error(
                $"custom options must be {CustomOptionsLength} bytes (TfLiteTransposeConvParams: padding, stride_width, " +
                $"stride_height as int32), got {options.Length}");
        int padding = BinaryPrimitives.ReadInt32LittleEndian(options);
        int strideW = BinaryPrimitives.ReadInt32LittleEndian(options[4..]);
        int strideH = BinaryPrimitives.ReadInt32LittleEndian(options[8..]);
        if (padding is not (PaddingUnknown or PaddingSame or PaddingValid))
            throw context.Error($"padding {padding} in custom options is not a TfLitePadding value (0 unknown, 1 SAME, 2 VALID)");
        ConvCommon.ExpectPositive(context, strideH, "stride_height");
        ConvCommon.ExpectPositive(context, strideW, "stride_width");

        ConvCommon.ExpectFloat32(context, input, "input");
        ConvCommon.ExpectFloat32(context, weights, "weights");
        ConvCommon.ExpectFloat32(context, output, "output");
        ConvCommon.ExpectDense(context, weights, "weights");
        context.ExpectRank(input, 4, "input");
        context.ExpectRank(weights, 4, "weights");
        if (weights.Dim(3) != input.Dim(3))
            throw context.Error(
                $"weights input depth {weights.Dim(3)} (weights [{ConvCommon.FormatShape(weights.Shape)}]) must equal the " +
                $"input depth {input.Dim(3)} (input [{ConvCommon.FormatShape(input.Shape)}])");
        ConvCommon.ExpectBias(context, bias, weights.Dim(0));
        int inputHeight = input.Dim(1), inputWidth = input.Dim(2);
        if (inputHeight <= 0 || inputWidth <= 0)
            throw context.Error($"input '{input.Name}' must have positive height and width, has [{ConvCommon.FormatShape(input.Shape)}]");

        int filterHeight = weights.Dim(1), filterWidth = weights.Dim(2);
        // MediaPipe's Prepare: total padding only for SAME, output = stride*(in-1) + filter - total, leading half floored.
        // In 64 bits: a huge stride must be a typed error, not a wrapped size.
        long totalPadH = padding == PaddingSame ? Math.Max(0, filterHeight - (inputHeight - 1) % strideH - 1) : 0;
        long totalPadW = padding == PaddingSame ? Math.Max(0, filterWidth - (inputWidth - 1) % strideW - 1) : 0;
        long outputHeight = (long)strideH * (inputHeight - 1) + filterHeight - totalPadH;
        long outputWidth = (long)strideW * (inputWidth - 1) + filterWidth - totalPadW;
        // Offsets oy + PadTop (and the tap walk) must fit an int too.
        if (outputHeight + filterHeight > int.MaxValue || outputWidth + filterWidth > int.MaxValue)
            throw context.Error(
                $"strides {strideH}x{strideW} on input [{ConvCommon.FormatShape(input.Shape)}] give an output of " +
                $"{outputHeight}x{outputWidth}, beyond a 32-bit index");

        context.SetOutputShape(0, [input.Dim(0), (int)outputHeight, (int)outputWidth, weights.Dim(0)]);
        return new TransposeConvBiasParams(strideH, strideW, (int)(totalPadH / 2), (int)(totalPadW / 2))
        {
            Cost = new OpCost(CostMath.Product(input.ElementCount, filterHeight, filterWidth, weights.Dim(0)), 0, CostMath.BytesTouched(context)),
        };
    }
}
