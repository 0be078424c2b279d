using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>
/// What the convolution-family CPU kernels cannot run (the definitions validated everything else), and the loop
/// arithmetic they share over a validated geometry.
/// </summary>
internal static class ConvLoops
{
    /// <summary>Most (ky, kx) taps a kernel accepts: its per-run tap lists live on the stack.</summary>
    public const int MaxTaps = 1024;

    /// <summary>
    /// Null when this backend can run the node; otherwise why not: weights and bias are packed once at compile time,
    /// so they must be constants; tap lists live on the stack (<see cref="MaxTaps"/>); offsets are 32-bit and the
    /// loops assume non-empty tensors.
    /// </summary>
    public static string? Refusal(DelegateNode node, Tensor weights, string weightsRole, Tensor? bias, long taps)
    {
        foreach (var (tensor, role) in new[] { (node.Inputs[0]!, "input"), (weights, weightsRole), (node.Outputs[0], "output") })
        {
            foreach (int d in tensor.Shape)
                if (d <= 0) return $"{role} '{tensor.Name}' has an empty dimension (shape [{Format(tensor.Shape)}]); the CPU kernels need non-empty tensors";
            if (tensor.ElementCount > int.MaxValue) return $"{role} '{tensor.Name}' has more than 2^31-1 elements (the CPU kernels' offsets are 32-bit)";
        }
        if (!weights.IsConstant) return $"{weightsRole} '{weights.Name}' is not a constant (weights are packed once at compile time)";
        if (bias is not null && !bias.IsConstant) return $"bias '{bias.Name}' is not a constant (the bias is packed once at compile time)";
        if (taps > MaxTaps) return $"the filter has {taps} taps, more than the CPU kernels' {MaxTaps}";
        return null;
    }

    public static string Format(ReadOnlySpan<int> shape) => string.Join(",", shape.ToArray());

    /// <summary>Start of a tensor's data for the kernels' pointer arithmetic (the arena and constants do not move).</summary>
    public static unsafe float* Pointer(ReadOnlySpan<float> data) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(data));

    /// <summary>First filter tap index k ≥ 0 with origin + k·dilation ≥ 0.</summary>
    public static int FirstTap(int origin, int dilation) => origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;

    /// <summary>One past the last tap index k &lt; taps with origin + k·dilation &lt; size (≤ <see cref="FirstTap"/> when none).</summary>
    [MethodImpl(JitHints.Hot)]
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
    [MethodImpl(JitHints.Hot)]
    public static int ChannelGroups(int units, int blocks, int threads)
    {
        if (threads <= 1 || units >= 4 * threads) return 1;
        int wanted = (4 * threads + units - 1) / units;
        return Math.Max(1, Math.Min(blocks, wanted));
    }

    /// <summary>
    /// <see cref="ChannelGroups(int, int, int)"/>, and at least one group per thread where the filter is larger than
    /// the input: every thread of a split by pixels streams the whole filter (from memory, in a model whose weights
    /// exceed the caches), while a split by channels has each stream its share. The caller orders its items group-major
    /// (CONV_2D's RunItems), so each thread's contiguous share is its channel groups over every unit.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static int ChannelGroups(int units, int blocks, int threads, long filterBytes, long inputBytes)
    {
        int groups = ChannelGroups(units, blocks, threads);
        return threads > 1 && filterBytes > inputBytes ? Math.Max(groups, Math.Min(blocks, threads)) : groups;
    }
}
