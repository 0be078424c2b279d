using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// PRELU with the definition's broadcast laid out as <see cref="Broadcast6"/> (the definition refuses broadcasts beyond
/// rank 4; an alpha of the input's own shape is indexed flat, any rank). float32: x ≥ 0 ? x : x · alpha. int8/uint8:
/// TFLite's integer formula from the definition's offsets and two multipliers, with the reference's own
/// <see cref="Quantization.MultiplyByQuantizedMultiplier(int, int, int)"/>, so every accelerator gives its bits.
/// </summary>
[OpCodes(BuiltinOperator.Prelu)]
internal sealed class PreluKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Prelu];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<PreluParams>();
        int total = checked((int)node.Outputs[0].ElementCount);
        // Same shapes: one flat dimension, so ranks above 6 need no broadcast layout.
        BroadcastPlan.TryCreate([total], [total], out var flat);
        var plan = Broadcast6.Of(p.AlphaMatchesInput ? flat! : p.Broadcast);
        if (p.Quantized is { } q)
        {
            var xBytes = QuantizedKernels.Bytes(c, node.Inputs[0]!);
            var alphaBytes = QuantizedKernels.Bytes(c, node.Inputs[1]!);
            var outputBytes = QuantizedKernels.Bytes(c, node.Outputs[0]);
            var (byteChunks, byteChunkSize) = c.Split(total, 4);
            var args = new PreluArgs(node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0, q.InputOffset, q.AlphaOffset, q.OutputOffset,
                q.IdentityMultiplier.Multiplier, q.IdentityMultiplier.Shift, q.AlphaMultiplier.Multiplier, q.AlphaMultiplier.Shift,
                total, byteChunkSize);
            var quantizedKernel = c.Load<ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, Broadcast6, PreluArgs>(QuantizedKernel);
            c.Add(() => quantizedKernel(byteChunks, xBytes, alphaBytes, outputBytes, plan, args), byteChunks);
            return;
        }
        var x = c.View(node.Inputs[0]!);
        var alpha = c.View(node.Inputs[1]!);
        var output = c.View(node.Outputs[0]);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, Broadcast6, int, int>(Kernel);
        c.Add(() => kernel(chunks, x, alpha, output, plan, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> alpha, ArrayView<float> output,
        Broadcast6 plan, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int xOffset, out int alphaOffset);
            float x = input[xOffset];
            float a = alpha[alphaOffset];
            output[i] = x >= 0f ? x : x * a;
        }
    }

    /// <summary>
    /// x' = x − z_x; x' ≥ 0 ? MBQM(x', identity) : MBQM(x' · (α − z_α), alpha multiplier); + z_y, clamped to the
    /// type's range (TFLite's reference_ops::BroadcastPrelu4DSlow).
    /// </summary>
    public static void QuantizedKernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> alpha, ArrayView<byte> output,
        Broadcast6 plan, PreluArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        int min = q.Signed != 0 ? sbyte.MinValue : byte.MinValue, max = q.Signed != 0 ? sbyte.MaxValue : byte.MaxValue;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int xOffset, out int alphaOffset);
            int x = QuantizedKernels.Load(input, xOffset, q.Signed) + q.InputOffset;
            int y;
            if (x >= 0)
            {
                y = Quantization.MultiplyByQuantizedMultiplier(x, q.IdentityMultiplier, q.IdentityShift);
            }
            else
            {
                int a = QuantizedKernels.Load(alpha, alphaOffset, q.Signed) + q.AlphaOffset;
                y = Quantization.MultiplyByQuantizedMultiplier(x * a, q.AlphaMultiplier, q.AlphaShift);
            }
            output[i] = QuantizedKernels.Clamp(y + q.OutputOffset, min, max);
        }
    }
}

/// <summary>The integer PRELU's scalars (signedness 1 = int8, offsets, the two multipliers) and the launch's element split.</summary>
internal readonly struct PreluArgs(int signed, int inputOffset, int alphaOffset, int outputOffset, int identityMultiplier,
    int identityShift, int alphaMultiplier, int alphaShift, int total, int chunkSize)
{
    public readonly int Signed = signed, InputOffset = inputOffset, AlphaOffset = alphaOffset, OutputOffset = outputOffset;
    public readonly int IdentityMultiplier = identityMultiplier, IdentityShift = identityShift;
    public readonly int AlphaMultiplier = alphaMultiplier, AlphaShift = alphaShift;
    public readonly int Total = total, ChunkSize = chunkSize;
}
