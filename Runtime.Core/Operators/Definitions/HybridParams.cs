using Accel.Kernels;

namespace Accel.Operators.Definitions;

/// <summary>
/// A dynamic-range (hybrid) node's weights: int8, symmetric, one scale per output channel (per-tensor weights repeat
/// theirs, <see cref="PerChannel"/> false), with float32 activations quantized per batch row at Invoke — symmetric
/// to [−127, 127], or asymmetric to [−128, 127] with a zero point when <see cref="AsymmetricInputs"/>
/// (TFLite's <c>asymmetric_quantize_inputs</c>). docs/numerics.md §Hybrid kernels.
/// </summary>
public sealed record HybridWeightsParams(bool AsymmetricInputs, bool PerChannel, float[] Scales)
{
    /// <summary>The node's temporaries (TFLite's input_quantized, row_sums), allocated at Prepare so Invoke allocates nothing.</summary>
    internal HybridScratch Scratch { get; init; } = null!;
}

/// <summary>
/// One hybrid node's working memory: the quantized input (one row, or every row for BATCH_MATMUL), the weights' per-row
/// sums, and for BATCH_MATMUL each row's factor and zero point and one float row (an adj_x column gathered).
/// </summary>
internal sealed class HybridScratch(int rowLength, int outputChannels, int rows = 0, int floatRowLength = 0)
{
    public sbyte[] QuantizedRow { get; } = new sbyte[rowLength];
    public int[] RowSums { get; } = new int[outputChannels];
    public float[] Factors { get; } = new float[rows];
    public int[] Offsets { get; } = new int[rows];
    public float[] FloatRow { get; } = new float[floatRowLength];
}

/// <summary>The checks TFLite's Prepare applies to a hybrid node (float32 input and output, int8 weights).</summary>
internal static class HybridWeights
{
    /// <summary>Why delegates are not offered hybrid nodes (their float kernels would read the int8 weights as float).</summary>
    public const string ReferenceOnlyReason =
        "hybrid node (float32 input, int8 weights): its dynamic-range kernel runs on the reference executor only";

    /// <summary>
    /// TFLite's conv.cc Prepare rule for is_hybrid_per_channel: more than one scale and at least two that differ. A
    /// per-channel filter whose scales are all equal runs TFLite's per-tensor hybrid kernel.
    /// </summary>
    public static bool HasDistinctScales(Tensor weights)
    {
        var scales = weights.Quantization.Scale;
        for (int i = 1; i < scales.Length; i++)
            if (scales[i] != scales[0]) return true;
        return false;
    }

    /// <summary>Whether the node is hybrid: float32 input with int8 weights.</summary>
    public static bool IsHybrid(Tensor input, Tensor weights) =>
        input.Type == TensorType.Float32 && weights.Type == TensorType.Int8;

    /// <summary>
    /// Validates a hybrid node's weights (symmetric int8, per tensor or per channel along <paramref name="channelAxis"/>),
    /// its float32 output, and reserves its scratch: <paramref name="rowLength"/> quantized inputs, one sum per channel.
    /// </summary>
    public static HybridWeightsParams Prepare(KernelContext context, Tensor weights, Tensor output, int channelAxis,
        int channels, int rowLength, bool asymmetricInputs, bool? perChannel = null)
    {
        if (output.Type != TensorType.Float32)
            throw context.Error(
                $"output '{output.Name}' is {output.Type.ToDisplayName()}; a hybrid node (float32 input, int8 weights) has a float32 output");
        var (scales, _) = QuantizedParams.Weights(context, weights, "weights", channelAxis, channels);
        context.ReserveWorkspace((long)rowLength + 4L * channels, "the hybrid kernel's quantized input row and weight row sums");
        return new HybridWeightsParams(asymmetricInputs, perChannel ?? weights.Quantization.Scale.Length != 1, scales)
        {
            Scratch = new HybridScratch(rowLength, channels),
        };
    }
}
