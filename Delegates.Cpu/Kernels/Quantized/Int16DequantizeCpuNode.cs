using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// DEQUANTIZE int16 → float32 with one scale (the reference's DequantizeAffine): out = scale × (float)(q − zero point),
/// the difference exact in int32 and in float32 (|z| ≤ <see cref="MaxZeroPoint"/>, so |q − z| &lt; 2^24) and one rounded
/// multiply, so every lane is the reference's bits.
/// Sixteen, eight or four lanes at a time on the widest accelerated vectors, the rest one by one; threaded.
/// </summary>
internal sealed unsafe class Int16DequantizeCpuNode(Tensor input, Tensor output, float scale, long zeroPoint) : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<Int16DequantizeCpuNode> Work =
        static (in Int16DequantizeCpuNode node, int start, int end) => node.Map(start, end);

    /// <summary>The largest |zero point| this node takes (the kernel refuses others: q − z would round in float32).</summary>
    public const int MaxZeroPoint = 1 << 20;

    private readonly int _zeroPoint = checked((int)zeroPoint);
    private readonly bool _vector = SimdPath.ForcedLanes != 1 && Vector256.IsHardwareAccelerated;
    private readonly bool _wide = SimdPath.ForcedLanes != 1 && Vector512.IsHardwareAccelerated;
    private short* _x;
    private float* _y;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = (short*)QuantizedConv.Pointer(input.Bytes);
        _y = (float*)QuantizedConv.Pointer(output.WritableBytes);
        Chunked.For(pool, (int)input.ElementCount, 64 * 1024, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Map(int start, int end)
    {
        int i = start;
        if (_wide)
        {
            var (s, z) = (Vector512.Create(scale), Vector512.Create(_zeroPoint));
            for (; i + 16 <= end; i += 16)
                (s * Vector512.ConvertToSingle(Vector512.WidenLower(Vector512.Create(Vector256.Load(_x + i), default)) - z)).Store(_y + i);
        }
        if (_vector)
        {
            var (s, z) = (Vector256.Create(scale), Vector256.Create(_zeroPoint));
            for (; i + 8 <= end; i += 8)
                (s * Vector256.ConvertToSingle(Vector256.WidenLower(Vector256.Create(Vector128.Load(_x + i), default)) - z)).Store(_y + i);
        }
        for (; i < end; i++)
        {
            float centered = _x[i] - _zeroPoint;
            _y[i] = scale * centered;
        }
    }
}
