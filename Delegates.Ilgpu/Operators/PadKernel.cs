using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// PAD (float32 data, rank ≤ 4; the definition's paddings, read from the constant int32/int64 input): the input where
/// it lands, +0 elsewhere.
/// </summary>
[OpCodes(BuiltinOperator.Pad)]
internal sealed class PadKernel : IIlgpuKernel
{
    private const int MaxRank = 4;

    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Pad];

    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    public NodeSupport Supports(DelegateNode node) =>
        node.Inputs[0]!.Rank > MaxRank
            ? NodeSupport.Refuse($"PAD: rank {node.Inputs[0]!.Rank} above {MaxRank} (the kernel's layout has four dimensions)")
            : NodeSupport.Supported;

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var shape = ShapeOf(node);
        if (QuantizedKernels.IsQuantized(node))
        {
            // int8/uint8: bytes, padded with the definition's pad byte (a quantized tensor's zero point, else 0).
            var inputBytes = QuantizedKernels.Bytes(c, node.Inputs[0]!);
            var outputBytes = QuantizedKernels.Bytes(c, node.Outputs[0]);
            int count = checked((int)node.Outputs[0].ElementCount);
            var (byteChunks, byteChunkSize) = c.Split(count, 2);
            int padByte = node.ParamsAs<PadParams>().PadByte;
            var byteKernel = c.Load<ArrayView<byte>, ArrayView<byte>, PadShape, int, int, int>(ByteKernel);
            c.Add(() => byteKernel(byteChunks, inputBytes, outputBytes, shape, count, byteChunkSize, padByte), byteChunks);
            return;
        }
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 2);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, PadShape, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, shape, total, chunkSize), chunks);
    }

    /// <summary>Each output element is the input element it covers, else +0, as the reference's cleared output.</summary>
    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, PadShape p, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int o3 = i % p.O3;
            int rest = i / p.O3;
            int o2 = rest % p.O2;
            rest /= p.O2;
            int o1 = rest % p.O1;
            int o0 = rest / p.O1;
            int x0 = o0 - p.B0, x1 = o1 - p.B1, x2 = o2 - p.B2, x3 = o3 - p.B3;
            bool inside = x0 >= 0 && x0 < p.I0 && x1 >= 0 && x1 < p.I1 && x2 >= 0 && x2 < p.I2 && x3 >= 0 && x3 < p.I3;
            output[i] = inside ? input[((x0 * p.I1 + x1) * p.I2 + x2) * p.I3 + x3] : 0f;
        }
    }

    /// <summary>As <see cref="Kernel"/> on bytes, with <paramref name="padByte"/> outside the input.</summary>
    public static void ByteKernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> output, PadShape p, int total, int chunkSize, int padByte)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int o3 = i % p.O3;
            int rest = i / p.O3;
            int o2 = rest % p.O2;
            rest /= p.O2;
            int o1 = rest % p.O1;
            int o0 = rest / p.O1;
            int x0 = o0 - p.B0, x1 = o1 - p.B1, x2 = o2 - p.B2, x3 = o3 - p.B3;
            bool inside = x0 >= 0 && x0 < p.I0 && x1 >= 0 && x1 < p.I1 && x2 >= 0 && x2 < p.I2 && x3 >= 0 && x3 < p.I3;
            output[i] = inside ? input[((x0 * p.I1 + x1) * p.I2 + x2) * p.I3 + x3] : (byte)padByte;
        }
    }

    /// <summary>The definition's paddings, with the input's and output's dimensions, right-aligned to rank 4.</summary>
    private static PadShape ShapeOf(DelegateNode node)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var before = node.ParamsAs<PadParams>().Before;
        int pad = MaxRank - input.Rank;
        Span<int> inDims = stackalloc int[MaxRank], outDims = stackalloc int[MaxRank], leading = stackalloc int[MaxRank];
        for (int d = 0; d < MaxRank; d++)
        {
            int source = d - pad;
            inDims[d] = source >= 0 ? input.Dim(source) : 1;
            outDims[d] = source >= 0 ? output.Dim(source) : 1;
            leading[d] = source >= 0 ? before[source] : 0;
        }
        return new PadShape
        {
            I0 = inDims[0], I1 = inDims[1], I2 = inDims[2], I3 = inDims[3],
            O1 = outDims[1], O2 = outDims[2], O3 = outDims[3],
            B0 = leading[0], B1 = leading[1], B2 = leading[2], B3 = leading[3],
        };
    }
}

/// <summary>PAD geometry right-aligned to rank 4: input dims, output dims (O0 implied), padding before each dim.</summary>
internal struct PadShape
{
    public int I0, I1, I2, I3, O1, O2, O3, B0, B1, B2, B3;
}
