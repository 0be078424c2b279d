using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// DEQUANTIZE int8/uint8 → float32 (docs/numerics.md §Dequantize): scale · float(q − zero point), one rounded multiply
/// (q − zero point is exact in float32), per tensor or per channel with the definition's layout. float16 and int16
/// inputs are refused (<see cref="Types"/>).
/// </summary>
[OpCodes(BuiltinOperator.Dequantize)]
internal sealed class DequantizeKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Dequantize];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public NodeSupport Supports(DelegateNode node)
    {
        var p = node.ParamsAs<DequantizeParams>();
        if (node.Inputs[0]!.Type is not (TensorType.Int8 or TensorType.UInt8))
            return NodeSupport.Refuse($"DEQUANTIZE: input '{node.Inputs[0]!.Name}' is {node.Inputs[0]!.Type.ToDisplayName()}; only int8 and uint8 are supported");
        // q − zero point must be exact in float32 (|value| <= 2^24), as it is in the reference's long arithmetic.
        if (p.ZeroPoints.Any(z => Math.Abs(z) > (1 << 24) - 256))
            return NodeSupport.Refuse("DEQUANTIZE: a zero point beyond ±(2^24 − 256) is not supported");
        return NodeSupport.Supported;
    }

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<DequantizeParams>();
        var input = QuantizedKernels.Bytes(c, node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        var scales = c.Upload(p.Scales.ToArray());
        var zeroPoints = c.Upload(p.ZeroPoints.Select(z => (int)z).ToArray());
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 2);
        var args = new DequantizeArgs(node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0, p.Channels, Math.Max(1, p.InnerSize), total, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<float>, ArrayView<int>, ArrayView<float>, DequantizeArgs>(Kernel);
        c.Add(() => kernel(chunks, input, scales, zeroPoints, output, args), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<byte> input, ArrayView<float> scales, ArrayView<int> zeroPoints, ArrayView<float> output,
        DequantizeArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        for (int i = start; i < end; i++)
        {
            int channel = i / q.Inner % q.Channels;
            float centered = QuantizedKernels.Load(input, i, q.Signed) - zeroPoints[channel];
            output[i] = scales[channel] * centered;
        }
    }
}

/// <summary>DEQUANTIZE's layout (channel = (i / inner) % channels), signedness and the launch's element split.</summary>
internal readonly struct DequantizeArgs(int signed, int channels, int inner, int total, int chunkSize)
{
    public readonly int Signed = signed, Channels = channels, Inner = inner, Total = total, ChunkSize = chunkSize;
}
