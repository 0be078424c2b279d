namespace Accel.Kernels.Reference;

/// <summary>
/// FULLY_CONNECTED, float32 (docs/numerics.md §Convolutions and matrix products). Mirrors TFLite's
/// <c>tflite::reference_ops::FullyConnected</c> (kernels/internal/reference/fully_connected.h):
/// weights [Units, K] (DEFAULT format), input flattened to [batch, K] with batch = elements / K, optional bias
/// [Units]. Each output is one sequential FMA chain starting at +0 over k = 0..K-1; then + bias; then the
/// activation clamp. Output shape: [batch, Units], or the input shape with its last dimension replaced by Units
/// when keep_num_dims is set (which requires the input's last dimension to be K), as TFLite's Prepare does.
/// </summary>
public sealed class FullyConnectedKernel : IKernel
{
    private ActivationRange _activation;

    public void Prepare(KernelContext context)
    {
        context.ExpectArity(2, 3, 1);
        var options = context.OptionsAs<FullyConnectedOptions>();
        var input = context.Input(0);
        var weights = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);

        ConvCommon.ExpectFloat32(context, input, "input");
        ConvCommon.ExpectFloat32(context, weights, "weights");
        ConvCommon.ExpectFloat32(context, output, "output");
        ConvCommon.ExpectDense(context, weights, "weights");
        if (options.WeightsFormat != 0)
            throw context.Error($"weights_format {options.WeightsFormat} is not supported; only DEFAULT (0) is");
        context.ExpectRank(weights, 2, "weights");
        if (input.Rank < 1)
            throw context.Error($"input '{input.Name}' must have rank >= 1, is a scalar");

        int units = weights.Dim(0);
        int depth = weights.Dim(1);
        ConvCommon.ExpectBias(context, bias, units);
        long inputElements = input.ElementCount;
        if (depth <= 0 || inputElements % depth != 0)
            throw context.Error(
                $"input shape [{ConvCommon.FormatShape(input.Shape)}] ({inputElements} elements) cannot be flattened to rows " +
                $"of the weights' depth {depth} (weights [{ConvCommon.FormatShape(weights.Shape)}])");
        int batch = checked((int)(inputElements / depth));

        _activation = ActivationRange.For(options.FusedActivation, context);
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
            context.SetOutputShape(0, [batch, units]);
        }
    }

    public void Invoke(KernelContext context)
    {
        var inputTensor = context.Input(0);
        var weightsTensor = context.Input(1);
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        ReadOnlySpan<float> weights = weightsTensor.Read<float>();
        ReadOnlySpan<float> bias = biasTensor is null ? default : biasTensor.Read<float>();
        Span<float> output = context.Output(0).Write<float>();

        int units = weightsTensor.Dim(0);
        int depth = weightsTensor.Dim(1);
        int batch = (int)(inputTensor.ElementCount / depth);
        for (int b = 0; b < batch; b++)
        for (int u = 0; u < units; u++)
        {
            int inputOffset = b * depth;
            int weightsOffset = u * depth;
            float acc = 0f;
            for (int k = 0; k < depth; k++)
                acc = MathF.FusedMultiplyAdd(input[inputOffset + k], weights[weightsOffset + k], acc);
            float value = bias.IsEmpty ? acc : acc + bias[u];
            output[b * units + u] = _activation.Apply(value);
        }
    }
}
