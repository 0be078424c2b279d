using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// CONCATENATION (and PACK) on every fixed-size dtype, any rank and axis, laid out by the definition's params: for each of
/// the <see cref="ConcatenationParams.Outer"/> indices before the axis the inputs' slabs (their chunks: axis and inner
/// dimensions, contiguous) follow one another in input order. One launch per input copies its slabs to their place.
/// float32 goes element by element: with NONE the bits are copied unchanged, otherwise the reference's clamp is applied
/// to every element (the reference clamps after copying, which is the same per element). Every other dtype goes byte by
/// byte; uint8 inputs quantized unlike the output are rescaled there with the reference's ConcatenationWithScaling
/// arithmetic (one rounded multiply, one rounded add — <see cref="IDeviceArithmetic"/>, so PTX cannot fuse them — and
/// halves away from zero).
/// </summary>
[OpCodes(BuiltinOperator.Concatenation, BuiltinOperator.Pack)]
internal sealed class ConcatenationKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Concatenation, BuiltinOperator.Pack]; // PACK: concatenation along a new axis

    public IReadOnlyList<TensorType> Types => ByteMoves.Types;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<ConcatenationParams>();
        if (node.Outputs[0].Type != TensorType.Float32)
        {
            CompileBytes(node, p, c);
            return;
        }
        int outputSlab = p.ChunkElements.Sum();
        var range = p.Activation;
        int clamp = p.Clamp ? 1 : 0;
        var output = c.View(node.Outputs[0]);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ConcatenationSlab, ActivationRange, int, int>(Kernel);
        int offset = 0;
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            int slab = p.ChunkElements[i];
            int total = checked(p.Outer * slab);
            var input = c.View(node.Inputs[i]!);
            var placement = new ConcatenationSlab(slab, outputSlab, offset, clamp);
            var (chunks, chunkSize) = c.Split(total, 1);
            c.Add(() => kernel(chunks, input, output, placement, range, total, chunkSize), chunks);
            offset += slab;
        }
    }

    /// <summary>The byte path: slabs in bytes, one launch per input, a rescale per uint8 input quantized unlike the output.</summary>
    private static void CompileBytes(DelegateNode node, ConcatenationParams p, IlgpuCompilation c)
    {
        int outputSlab = checked(p.ChunkElements.Sum() * p.ElementSize);
        var output = QuantizedKernels.Bytes(c, node.Outputs[0]);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, ConcatenationSlab, ConcatenationByteRescale, int, int>(
            c.UsesPtx ? ByteKernel<PtxArithmetic> : ByteKernel<HostArithmetic>);
        int offset = 0;
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            int slab = checked(p.ChunkElements[i] * p.ElementSize);
            int total = checked(p.Outer * slab);
            var input = QuantizedKernels.Bytes(c, node.Inputs[i]!);
            var placement = new ConcatenationSlab(slab, outputSlab, offset, 0);
            var rescale = p.Rescale.IsEmpty || p.Rescale[i].Copy
                ? new ConcatenationByteRescale(0, 1f, 0f, 0)
                : new ConcatenationByteRescale(1, p.Rescale[i].Scale, p.Rescale[i].Bias, p.OutputZeroPoint);
            var (chunks, chunkSize) = c.Split(total, rescale.Enabled != 0 ? 8 : 1);
            c.Add(() => kernel(chunks, input, output, placement, rescale, total, chunkSize), chunks);
            offset += slab;
        }
    }

    /// <summary>Input byte i of slab o = i / Slab goes to output byte o · OutputSlab + Offset + i mod Slab (rescaled if enabled).</summary>
    public static void ByteKernel<TArithmetic>(Index1D chunk, ArrayView<byte> input, ArrayView<byte> output, ConcatenationSlab s,
        ConcatenationByteRescale r, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int o = i / s.Slab;
            byte value = input[i];
            if (r.Enabled != 0) value = Rescale(a, value, r);
            output[o * s.OutputSlab + s.Offset + (i - o * s.Slab)] = value;
        }
    }

    /// <summary>
    /// The reference's ConcatenationWithScaling byte: clamp((int)round(x · Scale + Bias) + z_out, 0, 255), halves away from
    /// zero. Beyond ±1000 the clamp decides whatever the zero point (0..255), as the reference's ±512 saturation does;
    /// a NaN converts to 0 as .NET's (int) does.
    /// </summary>
    private static byte Rescale<TArithmetic>(TArithmetic a, byte x, ConcatenationByteRescale r) where TArithmetic : struct, IDeviceArithmetic
    {
        float sum = a.Add(a.Multiply(x, r.Scale), r.Bias);
        int value;
        // x != x is the NaN test that compiles to one device comparison in every ILGPU backend (CS1718 is intended).
#pragma warning disable CS1718
        if (sum != sum) value = r.OutputZeroPoint;
#pragma warning restore CS1718
        else if (sum >= 1000f) value = 255;
        else if (sum <= -1000f) value = 0;
        else
        {
            int t = (int)sum;             // toward zero
            float fraction = sum - t;     // exact
            value = (fraction >= 0.5f ? t + 1 : fraction <= -0.5f ? t - 1 : t) + r.OutputZeroPoint;
        }
        return (byte)(value < 0 ? 0 : value > 255 ? 255 : value);
    }

    /// <summary>Input element i of slab o = i / Slab goes to output o · OutputSlab + Offset + i mod Slab.</summary>
    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ConcatenationSlab s,
        ActivationRange range, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int o = i / s.Slab;
            float value = input[i];
            output[o * s.OutputSlab + s.Offset + (i - o * s.Slab)] = s.Clamp != 0 ? range.Apply(value) : value;
        }
    }
}

/// <summary>Where one input's slabs go in the output (element counts), and whether the fused clamp applies.</summary>
internal readonly struct ConcatenationSlab(int slab, int outputSlab, int offset, int clamp)
{
    public readonly int Slab = slab;
    public readonly int OutputSlab = outputSlab;
    public readonly int Offset = offset;
    public readonly int Clamp = clamp;
}

/// <summary>One uint8 input's ConcatenationWithScaling parameters (Enabled 0: the bytes are copied).</summary>
internal readonly struct ConcatenationByteRescale(int enabled, float scale, float bias, int outputZeroPoint)
{
    public readonly int Enabled = enabled;
    public readonly float Scale = scale;
    public readonly float Bias = bias;
    public readonly int OutputZeroPoint = outputZeroPoint;
}
