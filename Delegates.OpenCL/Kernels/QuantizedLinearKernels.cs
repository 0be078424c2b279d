using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// The int8/uint8 paths of MEAN, and the int8 paths of BATCH_MATMUL and TRANSPOSE_CONV (Cl/quant.cl's mean_q8,
/// batch_matmul_q8, transpose_conv_q8), from the params the definitions computed: integer arithmetic only, so every
/// device gives the reference's bits (docs/numerics.md §Quantized execution).
/// </summary>
internal static class QuantizedLinearKernels
{
    /// <summary>
    /// MEAN on int8/uint8, SUM on int8/uint8/int16: the float kernel's reduction runs (MeanGeometry) with
    /// QuantizedMeanParams' requantization (mean_q8's sum).
    /// </summary>
    public static void Mean(DelegateNode node, long reducedCount, MeanGeometry g, QuantizedMeanParams q, OpenClPartitionBuilder builder)
    {
        var args = Runs(node, g, reducedCount);
        (args.InputZeroPoint, args.OutputZeroPoint, args.Multiplier, args.Shift, args.OutputMin, args.OutputMax) =
            (q.InputZeroPoint, q.OutputZeroPoint, q.Multiplier.Multiplier, q.Multiplier.Shift, q.Min, q.Max);
        Dispatch(node, args, builder);
    }

    /// <summary>
    /// Quantized REDUCE_PROD on int8/int16: mean_q8's product fold (TFLite's QuantizedReduceProd, the 64-bit rescale's
    /// mantissa reduced to 16 bits here); an empty reduction gives the quantized 1.
    /// </summary>
    public static void Product(DelegateNode node, long reducedCount, MeanGeometry g, QuantizedProductParams q, OpenClPartitionBuilder builder)
    {
        var args = Runs(node, g, reducedCount);
        (args.InputZeroPoint, args.OutputZeroPoint, args.Multiplier, args.Shift, args.OutputMin, args.OutputMax) =
            (q.InputZeroPoint, q.OutputZeroPoint, IntegerReductions.ReducedMantissa(q.Multiplier.Multiplier), q.Multiplier.Shift, q.Min, q.Max);
        (args.Product, args.EmptyValue) = (1, q.EmptyValue);
        Dispatch(node, args, builder);
    }

    private static MeanArgs Runs(DelegateNode node, MeanGeometry g, long reducedCount) => new()
    {
        K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
        KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
        R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
        RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
        // ≤ the input's element count, which fits one buffer (the delegate checked), so it fits an int.
        Count = checked((int)reducedCount),
        IsSigned = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0,
        IsWide = node.Inputs[0]!.Type == TensorType.Int16 ? 1 : 0,
    };

    private static void Dispatch(DelegateNode node, MeanArgs args, OpenClPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, output = node.Outputs[0];
        builder.Dispatch("mean_q8", [builder.Buffer(input), builder.Buffer(output)], args, output.ElementCount, file: "quant");
    }

    /// <summary>BATCH_MATMUL on int8: batch_matmul_q8 with the float kernel's layout and the definition's offsets and multiplier.</summary>
    public static void BatchMatMul(DelegateNode node, BatchMatMulParams p, QuantizedBatchMatMulParams q, OpenClPartitionBuilder builder)
    {
        int m = p.Rows, k = p.Depth, n = p.Columns;
        var args = new BatchMatMulArgs
        {
            M = m, K = k, N = n,
            LhsRowStride = p.AdjX ? 1 : k, LhsDepthStride = p.AdjX ? m : 1,
            RhsDepthStride = p.AdjY ? 1 : n, RhsColumnStride = p.AdjY ? k : 1,
            LhsOffset = q.LhsOffset, RhsOffset = q.RhsOffset, OutputOffset = q.OutputOffset,
            Multiplier = q.Multiplier.Multiplier, Shift = q.Multiplier.Shift,
        };
        builder.Dispatch("batch_matmul_q8",
            [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), builder.Table(p.LhsMatrix.Span), builder.Table(p.RhsMatrix.Span),
             builder.Buffer(node.Outputs[0])],
            args, node.Outputs[0].ElementCount, file: "quant");
    }

    /// <summary>
    /// TRANSPOSE_CONV on int8 or uint8 (inputs: 0 the int32 output_shape, not read; 1 the OHWI 8-bit weights; 2 the data;
    /// 3 the int32 bias): transpose_conv_q8 with the definition's strides, padding, weights offset and per-channel multipliers.
    /// </summary>
    public static void TransposeConv(DelegateNode node, TransposeConvParams p, QuantizedConvParams q, OpenClPartitionBuilder builder)
    {
        Tensor weights = node.Inputs[1]!, input = node.Inputs[2]!, output = node.Outputs[0];
        var multipliers = new int[q.Multipliers.Length * 2];
        for (int c = 0; c < q.Multipliers.Length; c++)
            (multipliers[2 * c], multipliers[2 * c + 1]) = (q.Multipliers[c].Multiplier, q.Multipliers[c].Shift);
        var args = new TransposeConvArgs
        {
            N = input.Dim(0), H = input.Dim(1), W = input.Dim(2), C = input.Dim(3),
            OH = output.Dim(1), OW = output.Dim(2), OC = output.Dim(3),
            KH = weights.Dim(1), KW = weights.Dim(2), StrideH = p.StrideH, StrideW = p.StrideW, PadTop = p.PadTop, PadLeft = p.PadLeft,
            InputOffset = q.InputOffset, OutputOffset = q.OutputOffset, ActivationMin = q.ActivationMin, ActivationMax = q.ActivationMax,
            HasBias = p.HasBias ? 1 : 0, FilterOffset = q.FilterOffset, IsSigned = input.Type == TensorType.Int8 ? 1 : 0,
        };
        var multiplierTable = builder.Table<int>(multipliers);
        // Without a bias the kernel never reads its bias argument: the multiplier table stands in for it.
        builder.Dispatch("transpose_conv_q8",
            [builder.Buffer(input), builder.Buffer(weights), p.HasBias ? builder.Buffer(node.Inputs[3]!) : multiplierTable, multiplierTable,
             builder.Buffer(output)],
            args, output.ElementCount, file: "quant");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MeanArgs
    {
        public int K0, K1, K2, K3;
        public int KS0, KS1, KS2, KS3;
        public int R0, R1, R2, R3;
        public int RS0, RS1, RS2, RS3;
        public int Count;
        public int InputZeroPoint, OutputZeroPoint, Multiplier, Shift, OutputMin, OutputMax;
        public int IsSigned, IsWide, Product, EmptyValue;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct BatchMatMulArgs
    {
        public int M, K, N;
        public int LhsRowStride, LhsDepthStride, RhsDepthStride, RhsColumnStride;
        public int LhsOffset, RhsOffset, OutputOffset, Multiplier, Shift;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TransposeConvArgs
    {
        public int N, H, W, C;
        public int OH, OW, OC;
        public int KH, KW, StrideH, StrideW, PadTop, PadLeft;
        public int InputOffset, OutputOffset, ActivationMin, ActivationMax;
        public int HasBias;
        public int FilterOffset, IsSigned;
    }
}
