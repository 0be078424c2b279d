using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// BATCH_MATMUL's validated layout: out[b] = op(lhs[LhsMatrix[b]]) · op(rhs[RhsMatrix[b]]) for each of the output's
/// batch matrices b (broadcast batch dimensions resolved here into the operands' matrix indices), with op the
/// transpose when AdjX / AdjY. Rows = M (output rows), Depth = K (the reduction), Columns = N (output columns).
/// </summary>
public sealed record BatchMatMulParams(int Rows, int Depth, int Columns, bool AdjX, bool AdjY,
    ReadOnlyMemory<int> LhsMatrix, ReadOnlyMemory<int> RhsMatrix) : OpParams
{
    /// <summary>The number of output matrices.</summary>
    public int Batches => LhsMatrix.Length;

    /// <summary>An int8 BATCH_MATMUL's integer params (TFLite's reference_ops::BatchMatMul for int8); null for float32.</summary>
    public QuantizedBatchMatMulParams? Quantized { get; init; }

    /// <summary>An int16 BATCH_MATMUL's multiplier (TFLite's reference_ops::BatchMatMul&lt;int16_t, int64_t&gt;); null otherwise.</summary>
    public Int16BatchMatMulParams? Int16 { get; init; }

    /// <summary>
    /// Dynamic-range (hybrid): float32 lhs and output, constant int8 rhs per tensor or per output column; null otherwise.
    /// <see cref="LhsRows"/> is the number of lhs rows quantized at each Invoke (every batch of lhs).
    /// </summary>
    public HybridWeightsParams? Hybrid { get; init; }

    /// <summary>The number of stored lhs matrices times their rows (hybrid only: one quantization factor each).</summary>
    public int LhsRows { get; init; }
}

/// <summary>
/// What an int8 BATCH_MATMUL runs from (batch_matmul.cc Prepare): the operands' offsets (−zero point), the output's zero
/// point, one multiplier (double)(float)(s_lhs · s_rhs) / (double)s_out, and the int8 range (no fused activation).
/// Each output is clamp(MultiplyByQuantizedMultiplier(Σ_k (L + LhsOffset)·(R + RhsOffset), Multiplier) + OutputOffset).
/// </summary>
public sealed record QuantizedBatchMatMulParams(int LhsOffset, int RhsOffset, int OutputOffset, QuantizedMultiplier Multiplier);

/// <summary>BATCH_MATMUL, float32, int8, int16 and hybrid, ranks 2–5 with broadcast batch dimensions; TFLite's batch_matmul.cc Prepare.</summary>
[OpCodes(BuiltinOperator.BatchMatMul)]
internal sealed class BatchMatMulDefinition : OpDefinition<BatchMatMulParams>
{
    /// <summary>TFLite's reference kernel extends every shape to rank 5.</summary>
    public const int MaxRank = 5;

    public override OpId Op => BuiltinOperator.BatchMatMul;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override BatchMatMulParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var options = context.Options is null ? new BatchMatMulOptions(false, false) : context.OptionsAs<BatchMatMulOptions>();
        var lhs = context.Input(0);
        var rhs = context.Input(1);
        var output = context.Output(0);
        QuantizedBatchMatMulParams? quantized = null;
        bool hybrid = HybridWeights.IsHybrid(lhs, rhs);
        if (lhs.Type == TensorType.Int8) quantized = PrepareQuantized(context, lhs, rhs, output);
        else if (lhs.Type == TensorType.Int16) { }   // after the shapes: the depth bounds the int64 sum
        else if (!hybrid)
        {
            if (lhs.Type != TensorType.Float32)
                throw context.Error($"lhs '{lhs.Name}' is {lhs.Type.ToDisplayName()}; BATCH_MATMUL runs float32, int8, int16 and hybrid (float32 lhs, int8 rhs)");
            ConvCommon.ExpectFloat32(context, rhs, "rhs");
            ConvCommon.ExpectFloat32(context, output, "output");
        }
        foreach (var (tensor, role) in new[] { (lhs, "lhs"), (rhs, "rhs") })
            if (tensor.Rank is < 2 or > MaxRank)
                throw context.Error($"{role} '{tensor.Name}' must have rank 2 to {MaxRank}, has rank {tensor.Rank}");

        int rank = Math.Max(lhs.Rank, rhs.Rank);
        int[] lhsShape = Extend(lhs.Shape, rank), rhsShape = Extend(rhs.Shape, rank);
        int rows = options.AdjX ? lhsShape[rank - 1] : lhsShape[rank - 2];
        int lhsDepth = options.AdjX ? lhsShape[rank - 2] : lhsShape[rank - 1];
        int rhsDepth = options.AdjY ? rhsShape[rank - 1] : rhsShape[rank - 2];
        int columns = options.AdjY ? rhsShape[rank - 2] : rhsShape[rank - 1];
        if (lhsDepth != rhsDepth)
            throw context.Error(
                $"the inner dimensions differ: lhs {ConstantInputs.Format(lhs.Shape)} (adj_x={options.AdjX}) gives {lhsDepth}, " +
                $"rhs {ConstantInputs.Format(rhs.Shape)} (adj_y={options.AdjY}) gives {rhsDepth}");

        // Batch dimensions broadcast as TFLite's Prepare checks them: equal, or one side 1.
        var outputShape = new int[rank];
        long batches = 1;
        for (int d = 0; d < rank - 2; d++)
        {
            int l = lhsShape[d], r = rhsShape[d];
            if (l != r && l != 1 && r != 1)
                throw context.Error(
                    $"batch dimension {d} does not broadcast: lhs {ConstantInputs.Format(lhs.Shape)}, rhs {ConstantInputs.Format(rhs.Shape)}");
            outputShape[d] = l == 1 ? r : l;
            batches *= outputShape[d];
        }
        outputShape[rank - 2] = rows;
        outputShape[rank - 1] = columns;
        if ((Int128)batches * rows * columns > int.MaxValue)
            throw context.Error($"the output {ConstantInputs.Format(outputShape)} has more than 2^31 - 1 elements");

        // Each output matrix's operand matrices, in row-major order of the batch dimensions.
        var lhsMatrix = new int[batches];
        var rhsMatrix = new int[batches];
        var index = new int[Math.Max(rank - 2, 0)];
        for (int b = 0; b < batches; b++)
        {
            int l = 0, r = 0;
            for (int d = 0; d < rank - 2; d++)
            {
                l = l * lhsShape[d] + (lhsShape[d] == 1 ? 0 : index[d]);
                r = r * rhsShape[d] + (rhsShape[d] == 1 ? 0 : index[d]);
            }
            lhsMatrix[b] = l;
            rhsMatrix[b] = r;
            for (int d = rank - 3; d >= 0; d--)
            {
                if (++index[d] < outputShape[d]) break;
                index[d] = 0;
            }
        }

        var int16 = lhs.Type == TensorType.Int16 ? Int16x8.BatchMatMul(context, lhsDepth) : null;

        HybridWeightsParams? hybridParams = null;
        int lhsRows = 0;
        if (hybrid)
        {
            lhsRows = checked((int)(lhs.ElementCount / Math.Max(lhsDepth, 1)));
            hybridParams = PrepareHybrid(context, lhs, rhs, output, options, outputShape, rows, lhsDepth, columns, lhsRows);
        }

        context.SetOutputShape(0, outputShape);
        return new BatchMatMulParams(rows, lhsDepth, columns, options.AdjX, options.AdjY, lhsMatrix, rhsMatrix)
        {
            Quantized = quantized,
            Int16 = int16,
            Hybrid = hybridParams,
            LhsRows = lhsRows,
            ReferenceOnlyReason = hybrid ? HybridWeights.ReferenceOnlyReason : null,
            IsHybrid = hybrid,
            Cost = new OpCost(CostMath.Product(output.ElementCount, lhsDepth), 0, CostMath.BytesTouched(context)),
        };
    }

    /// <summary>
    /// int8 × int8 → int8: per-tensor quantization on all three (TFLite reads only the first scale; Accel refuses
    /// per-channel operands rather than ignore their other scales). The multiplier is TFLite's
    /// GetQuantizedConvolutionMultipler without bias: the scale product rounded to binary32, then divided in double.
    /// </summary>
    private static QuantizedBatchMatMulParams PrepareQuantized(KernelContext context, Tensor lhs, Tensor rhs, Tensor output)
    {
        context.ExpectType(rhs, TensorType.Int8, "rhs");
        context.ExpectType(output, TensorType.Int8, "output");
        var lq = QuantizedParams.PerTensor(context, lhs, "lhs");
        var rq = QuantizedParams.PerTensor(context, rhs, "rhs");
        var oq = QuantizedParams.PerTensor(context, output, "output");
        float product = lq.Scale * rq.Scale;
        var m = QuantizedParams.Multiplier(context, (double)product / oq.Scale, "the output multiplier s_lhs·s_rhs/s_out");
        return new QuantizedBatchMatMulParams(-lq.ZeroPoint, -rq.ZeroPoint, oq.ZeroPoint, m);
    }

    /// <summary>
    /// Hybrid (TFLite's batch_matmul.cc EvalHybrid with reference_ops::BatchMatMul for int8 × float): a constant int8 rhs,
    /// symmetric, per tensor or per output column (its quantized dimension the columns' axis, one scale per column), a
    /// float32 output. Refused where TFLite's kernel indexes its per-row factors or row sums by a wrong stride (two or
    /// more batch dimensions larger than 1, or a rank-5 rhs with a first dimension larger than 1) and where it caches
    /// the row sums of an rhs that could change (non-constant rhs).
    /// </summary>
    private static HybridWeightsParams PrepareHybrid(KernelContext context, Tensor lhs, Tensor rhs, Tensor output,
        BatchMatMulOptions options, int[] outputShape, int rows, int depth, int columns, int lhsRows)
    {
        if (output.Type != TensorType.Float32)
            throw context.Error($"output '{output.Name}' is {output.Type.ToDisplayName()}; a hybrid BATCH_MATMUL (float32 lhs, int8 rhs) has a float32 output");
        if (depth == 0)
            throw context.Error("hybrid BATCH_MATMUL with an inner dimension of 0 is refused: TFLite quantizes empty rows by reading past them");
        if (!rhs.IsConstant)
            throw context.Error($"rhs '{rhs.Name}' is int8 but not a constant; hybrid BATCH_MATMUL runs constant weights only (TFLite computes their row sums once)");
        int largeBatchDims = 0;
        for (int d = 0; d < outputShape.Length - 2; d++)
            if (outputShape[d] > 1) largeBatchDims++;
        if (largeBatchDims > 1 || (rhs.Rank == MaxRank && rhs.Dim(0) > 1))
            throw context.Error(
                $"hybrid BATCH_MATMUL with output {ConstantInputs.Format(outputShape)} and rhs {ConstantInputs.Format(rhs.Shape)} is refused: " +
                "TFLite's hybrid kernel indexes its per-row factors and row sums correctly for at most one batch dimension larger than 1");
        int columnAxis = options.AdjY ? rhs.Rank - 2 : rhs.Rank - 1;
        var q = rhs.Quantization;
        if (q.Scale.Length > 1 && q.QuantizedDimension != columnAxis)
            throw context.Error(
                $"rhs '{rhs.Name}' is quantized along dimension {q.QuantizedDimension}; per-channel hybrid BATCH_MATMUL needs the output columns' axis {columnAxis}");
        var (scales, _) = QuantizedParams.Weights(context, rhs, "rhs", columnAxis, columns);
        long rhsMatrices = rhs.ElementCount / Math.Max((long)depth * columns, 1);
        int rowSums = checked((int)(rhsMatrices * columns));
        int quantizedLength = checked((int)lhs.ElementCount);
        context.ReserveWorkspace(quantizedLength + 8L * lhsRows + 4L * rowSums + 4L * depth,
            "the hybrid kernel's quantized lhs, per-row factors and zero points, and weight row sums");
        return new HybridWeightsParams(options.AsymmetricQuantizeInputs, q.Scale.Length > 1, scales)
        {
            Scratch = new HybridScratch(quantizedLength, rowSums, lhsRows, depth),
        };
    }

    /// <summary>The shape with leading 1s up to <paramref name="rank"/>.</summary>
    private static int[] Extend(ReadOnlySpan<int> shape, int rank)
    {
        var extended = new int[rank];
        extended.AsSpan().Fill(1);
        shape.CopyTo(extended.AsSpan(rank - shape.Length));
        return extended;
    }
}
