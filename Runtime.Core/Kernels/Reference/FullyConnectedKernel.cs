using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// FULLY_CONNECTED, float32 (docs/numerics.md §Convolutions and matrix products). Mirrors TFLite's
/// <c>tflite::reference_ops::FullyConnected</c> (kernels/internal/reference/fully_connected.h):
/// weights [Units, K] (DEFAULT format), input flattened to [batch, K] with batch = elements / K, optional bias
/// [Units]. Each output is one sequential FMA chain starting at +0 over k = 0..K-1; then + bias; then the
/// activation clamp. Output shape: [batch, Units], or the input shape with its last dimension replaced by Units
/// when keep_num_dims is set (which requires the input's last dimension to be K), as TFLite's Prepare does.
/// </summary>
[OpCodes(BuiltinOperator.FullyConnected)]
internal sealed class FullyConnectedKernel : ReferenceKernel<FullyConnectedParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.FullyConnected];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.FullyConnected).Types;

    protected override void Invoke(KernelContext context, FullyConnectedParams p)
    {
        if (p.Hybrid is { } h)
        {
            HybridKernels.FullyConnected(context, p, h);
            return;
        }
        if (p.Int16 is { } q16)
        {
            Int16x8Kernels.FullyConnected(context, p, q16);
            return;
        }
        if (p.Quantized is { } q)
        {
            QuantizedKernels.FullyConnected(context, p, q);
            return;
        }
        var inputTensor = context.Input(0);
        var weightsTensor = context.Input(1);
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        ReadOnlySpan<float> weights = weightsTensor.Read<float>();
        ReadOnlySpan<float> bias = biasTensor is null ? default : biasTensor.Read<float>();
        Span<float> output = context.Output(0).Write<float>();

        int units = p.Units, depth = p.Depth, batch = p.Batch;
        for (int b = 0; b < batch; b++)
        for (int u = 0; u < units; u++)
        {
            if ((u & 255) == 0) context.ThrowIfCancellationRequested(); // every 256 outputs: a batch row can be long
            int inputOffset = b * depth;
            int weightsOffset = u * depth;
            float acc = 0f;
            for (int k = 0; k < depth; k++)
                acc = MathF.FusedMultiplyAdd(input[inputOffset + k], weights[weightsOffset + k], acc);
            float value = bias.IsEmpty ? acc : acc + bias[u];
            output[b * units + u] = p.Activation.Apply(value);
        }
    }
}
