using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>PAD (float32 data, constant int32/int64 paddings, rank ≤ 4): the input where it lands, +0 elsewhere.</summary>
internal sealed class PadOperator : IIlgpuOperator
{
    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    public NodeSupport Supports(DelegateNode node) =>
        ShapeOf(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        ShapeOf(node, out var shape);
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

    /// <summary>PAD geometry right-aligned to rank 4; null when supported, else the refusal.</summary>
    private static string? ShapeOf(DelegateNode node, out PadShape p)
    {
        p = default;
        if (node.Inputs.Count != 2 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
            return "PAD needs an input, paddings and one output";
        var input = node.Inputs[0]!;
        var paddings = node.Inputs[1]!;
        int rank = input.Rank;
        if (rank > 4) return "PAD: rank above 4";
        if (!paddings.IsConstant) return "PAD: paddings must be constant";
        if (paddings.Rank != 2 || paddings.Dim(0) != rank || paddings.Dim(1) != 2) return "PAD: paddings must be [rank, 2]";
        long[] values = paddings.Type switch
        {
            TensorType.Int32 => paddings.Read<int>().ToArray().Select(v => (long)v).ToArray(),
            TensorType.Int64 => paddings.Read<long>().ToArray(),
            _ => [],
        };
        if (values.Length != 2 * rank) return $"PAD: paddings of type {paddings.Type.ToDisplayName()} are not supported";
        var inDims = new int[4];
        var outDims = new int[4];
        var before = new int[4];
        for (int d = 0; d < 4; d++)
        {
            int source = d - (4 - rank);
            inDims[d] = source >= 0 ? input.Dim(source) : 1;
            long b = source >= 0 ? values[2 * source] : 0, a = source >= 0 ? values[2 * source + 1] : 0;
            if (b < 0 || a < 0) return "PAD: negative paddings";
            long size = inDims[d] + b + a;
            if (size > int.MaxValue) return "PAD: padded dimension too large";
            outDims[d] = (int)size;
            before[d] = (int)b;
        }
        if ((long)outDims[0] * outDims[1] * outDims[2] * outDims[3] != node.Outputs[0].ElementCount)
            return "PAD: output size does not match the paddings";
        p = new PadShape
        {
            I0 = inDims[0], I1 = inDims[1], I2 = inDims[2], I3 = inDims[3],
            O1 = outDims[1], O2 = outDims[2], O3 = outDims[3],
            B0 = before[0], B1 = before[1], B2 = before[2], B3 = before[3],
        };
        return null;
    }
}

/// <summary>PAD geometry right-aligned to rank 4: input dims, output dims (O0 implied), padding before each dim.</summary>
internal struct PadShape
{
    public int I0, I1, I2, I3, O1, O2, O3, B0, B1, B2, B3;
}
