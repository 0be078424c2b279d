using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>
/// Support checks shared by the convolution-family CPU operators. Each returns a refusal reason (naming the tensor,
/// dtype, shape or option) or null; a refused node runs on the reference kernel instead.
/// </summary>
internal static class ConvNodeChecks
{
    /// <summary>Most (ky, kx) taps a kernel accepts: its per-run tap lists live on the stack.</summary>
    public const int MaxTaps = 1024;

    public static string? Float32(Tensor? tensor, string role, int rank = -1)
    {
        if (tensor is null) return $"{role} is missing";
        if (tensor.Type != TensorType.Float32) return $"{role} '{tensor.Name}' is {tensor.Type.ToDisplayName()}; only float32 is supported";
        if (rank >= 0 && tensor.Rank != rank) return $"{role} '{tensor.Name}' has rank {tensor.Rank}, expected {rank}";
        foreach (int d in tensor.Shape)
            if (d <= 0) return $"{role} '{tensor.Name}' has an empty or unknown dimension (shape [{Format(tensor.Shape)}])";
        if (tensor.ElementCount > int.MaxValue) return $"{role} '{tensor.Name}' has more than 2^31 elements";
        return null;
    }

    /// <summary>Weights and bias are packed at compile time, so they must be dense constants.</summary>
    public static string? Constant(Tensor tensor, string role)
    {
        if (!tensor.IsConstant) return $"{role} '{tensor.Name}' is not a constant (weights are packed once at compile time)";
        if (tensor.Sparsity is not null) return $"{role} '{tensor.Name}' is sparse (DENSIFY must run first)";
        return null;
    }

    /// <summary>Optional bias: absent, or a float32 constant of shape [channels].</summary>
    public static string? Bias(Tensor? bias, int channels)
    {
        if (bias is null) return null;
        if (Float32(bias, "bias", 1) is { } reason) return reason;
        if (Constant(bias, "bias") is { } notConstant) return notConstant;
        if (bias.Dim(0) != channels) return $"bias '{bias.Name}' has shape [{Format(bias.Shape)}], expected [{channels}]";
        return null;
    }

    /// <summary>The clamp range of a fused activation, or null for one that is not a clamp (TANH, SIGN_BIT).</summary>
    public static (float Min, float Max)? ActivationRange(ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.None => (float.NegativeInfinity, float.PositiveInfinity),
        ActivationFunctionType.Relu => (0f, float.PositiveInfinity),
        ActivationFunctionType.ReluN1To1 => (-1f, 1f),
        ActivationFunctionType.Relu6 => (0f, 6f),
        _ => null,
    };

    public static string Format(ReadOnlySpan<int> shape) => string.Join(",", shape.ToArray());

    /// <summary>Start of a tensor's data for the kernels' pointer arithmetic (the arena and constants do not move).</summary>
    public static unsafe float* Pointer(ReadOnlySpan<float> data) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(data));

    /// <summary>First filter tap index k ≥ 0 with origin + k·dilation ≥ 0.</summary>
    public static int FirstTap(int origin, int dilation) => origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;

    /// <summary>One past the last tap index k &lt; taps with origin + k·dilation &lt; size (≤ <see cref="FirstTap"/> when none).</summary>
    public static int EndTap(int origin, int dilation, int size, int taps)
    {
        int room = size - 1 - origin;
        if (room < 0) return 0;
        return Math.Min(taps, room / dilation + 1);
    }

    /// <summary>
    /// How many groups to split the output-channel blocks into, so that units × groups gives every thread several
    /// work items when there are few units (rows, pixel tiles); 1 on a single thread.
    /// </summary>
    public static int ChannelGroups(int units, int blocks, int threads)
    {
        if (threads <= 1 || units >= 4 * threads) return 1;
        int wanted = (4 * threads + units - 1) / units;
        return Math.Max(1, Math.Min(blocks, wanted));
    }
}
