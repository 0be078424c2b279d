using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>FULLY_CONNECTED's validated parameters: the input flattened to [Batch, Depth] rows, weights [Units, Depth].</summary>
public sealed record FullyConnectedParams(int Batch, int Units, int Depth, ActivationRange Activation, bool HasBias) : OpParams
{
    /// <summary>The integer kernel's offsets, multipliers and clamp; null for float32.</summary>
    public QuantizedConvParams? Quantized { get; init; }

    /// <summary>Dynamic-range (hybrid) weights: float32 input and output, int8 weights; null otherwise.</summary>
    public HybridWeightsParams? Hybrid { get; init; }

    /// <summary>The int16x8 kernel's multipliers, clamp and accumulator; null unless the input is int16.</summary>
    public Int16ConvParams? Int16 { get; init; }
}

/// <summary>FULLY_CONNECTED, float32; TFLite's fully_connected.cc Prepare (keep_num_dims, optional bias).</summary>
[OpCodes(BuiltinOperator.FullyConnected)]
internal sealed class FullyConnectedDefinition : OpDefinition<FullyConnectedParams>
{
    public override OpId Op => BuiltinOperator.FullyConnected;
    public override int MaxVersion => 13;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override FullyConnectedParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 3, 1);
        var options = context.OptionsAs<FullyConnectedOptions>();
        var input = context.Input(0);
        var weights = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);

        bool quantized = QuantizedParams.IsQuantizedType(input.Type);
        bool hybrid = HybridWeights.IsHybrid(input, weights);
        bool int16 = input.Type == TensorType.Int16;
        if (!quantized && !hybrid && !int16)
        {
            ConvCommon.ExpectFloat32(context, input, "input");
            ConvCommon.ExpectFloat32(context, weights, "weights");
            ConvCommon.ExpectFloat32(context, output, "output");
        }
        ConvCommon.ExpectDense(context, weights, "weights");
        if (options.WeightsFormat != 0)
            throw context.Error($"weights_format {options.WeightsFormat} is not supported; only DEFAULT (0) is");
        context.ExpectRank(weights, 2, "weights");
        if (input.Rank < 1)
            throw context.Error($"input '{input.Name}' must have rank >= 1, is a scalar");

        int units = weights.Dim(0);
        int depth = weights.Dim(1);
        // Per-tensor weights keep TFLite's bias-scale check (GetQuantizedConvolutionMultipler); per-channel ones do not.
        var quantizedParams = quantized
            ? QuantizedParams.Convolution(context, input, weights, bias, output, options.FusedActivation, 0, units, weights.Quantization.Scale.Length == 1)
            : null;
        // int16x8: per-tensor weights take GetQuantizedConvolutionMultipler's binary32 scale product and bias check.
        var int16Params = int16
            ? Int16x8.Convolution(context, input, weights, bias, output, options.FusedActivation, 0, units, Int16x8Op.FullyConnected)
            : null;
        if (!quantized && !int16) ConvCommon.ExpectBias(context, bias, units);
        var hybridParams = hybrid
            ? HybridWeights.Prepare(context, weights, output, 0, units, depth, options.AsymmetricQuantizeInputs)
            : null;
        long inputElements = input.ElementCount;
        if (depth <= 0 || inputElements % depth != 0)
            throw context.Error(
                $"input shape [{ConvCommon.FormatShape(input.Shape)}] ({inputElements} elements) cannot be flattened to rows " +
                $"of the weights' depth {depth} (weights [{ConvCommon.FormatShape(weights.Shape)}])");
        long batch = inputElements / depth;
        if (batch * units > int.MaxValue)
            throw context.Error($"output would have {batch}×{units} elements, over the 2^31-1 limit");

        var activation = quantized || int16 ? default : ActivationRange.For(options.FusedActivation, context);
        if (options.KeepNumDims)
        {
            if (input.Dim(input.Rank - 1) != depth)
                throw context.Error(
                    $"keep_num_dims requires the input's last dimension to equal the weights' depth {depth}; " +
                    $"input shape is [{ConvCommon.FormatShape(input.Shape)}]");
            int[] shape = input.Shape.ToArray();
            shape[^1] = units;
            context.SetOutputShape(0, shape);
        }
        else
        {
            context.SetOutputShape(0, [(int)batch, units]);
        }
        return new FullyConnectedParams((int)batch, units, depth, activation, bias is not null)
        {
            Cost = new OpCost(CostMath.Product(batch, units, depth), 0, CostMath.BytesTouched(context)),
            Quantized = quantizedParams,
            Hybrid = hybridParams,
            ReferenceOnlyReason = hybrid ? HybridWeights.ReferenceOnlyReason : null,
            IsHybrid = hybrid,
            Int16 = int16Params,
        };
    }
}
