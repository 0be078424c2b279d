using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// DEQUANTIZE int8, uint8 or int16 → float32 quantized per channel along any axis (the reference's PerChannelDequantize):
/// out = s_c × (float)(q − z_c), the difference exact in int32 and in float32 (|z_c| ≤
/// <see cref="Int16DequantizeCpuNode.MaxZeroPoint"/>) and one rounded multiply, so every lane is the reference's bits.
/// The input as rows of the elements after the channel axis: with one element per channel (the channel axis last)
/// each row of C channels takes the channels' scales and zero points as vectors, else each (outer, channel) run of
/// elements takes its channel's as broadcasts; 16 lanes with AVX-512, 8 with AVX2, the rest one by one; threaded.
/// </summary>
internal sealed unsafe class PerChannelDequantizeCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<PerChannelDequantizeCpuNode> Work =
        static (in PerChannelDequantizeCpuNode node, int start, int end) => node.Map(start, end);

    private readonly Tensor _input, _output;
    private readonly TensorType _type;
    private readonly int _outer, _channels, _inner;
    private readonly float[] _scales;   // [channels], pinned
    private readonly int[] _zeroPoints; // [channels], pinned
    private readonly bool _wide = Avx512F.IsSupported && Vector512.IsHardwareAccelerated && SimdPath.ForcedLanes is null or >= 16;
    private readonly bool _vector = Avx2.IsSupported && SimdPath.ForcedLanes is null or >= 8;
    private byte* _x;
    private float* _y;

    public PerChannelDequantizeCpuNode(Tensor input, Tensor output, DequantizeParams p)
    {
        (_input, _output, _type) = (input, output, input.Type);
        (_outer, _channels, _inner) = (p.OuterSize, p.Channels, p.InnerSize);
        _scales = GC.AllocateArray<float>(_channels, pinned: true);
        _zeroPoints = GC.AllocateArray<int>(_channels, pinned: true);
        for (int c = 0; c < _channels; c++) (_scales[c], _zeroPoints[c]) = (p.Scales[c], checked((int)p.ZeroPoints[c]));
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = (float*)QuantizedConv.Pointer(_output.WritableBytes);
        // Work items: outer rows of C channels (inner 1), else (outer, channel) runs of inner elements.
        int items = _inner == 1 ? _outer : _outer * _channels;
        Chunked.For(pool, items, Math.Max(1, 64 * 1024 / Math.Max(1, _inner == 1 ? _channels : _inner)), this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Map(int start, int end)
    {
        float* scales = (float*)Unsafe.AsPointer(ref _scales[0]);
        int* zeroPoints = (int*)Unsafe.AsPointer(ref _zeroPoints[0]);
        for (int item = start; item < end; item++)
        {
            if (_inner == 1)
            {
                // One row of C channels: the channels' scales and zero points as vectors.
                nint first = (nint)item * _channels;
                int c = 0;
                if (_wide)
                    for (; c + 16 <= _channels; c += 16)
                        (Vector512.Load(scales + c) * Vector512.ConvertToSingle(Load16(first + c) - Vector512.Load(zeroPoints + c))).Store(_y + first + c);
                if (_vector)
                    for (; c + 8 <= _channels; c += 8)
                        (Vector256.Load(scales + c) * Vector256.ConvertToSingle(Load8(first + c) - Vector256.Load(zeroPoints + c))).Store(_y + first + c);
                for (; c < _channels; c++) _y[first + c] = One(first + c, scales[c], zeroPoints[c]);
                continue;
            }
            // One run of inner elements of channel item mod C: its scale and zero point broadcast.
            int channel = item % _channels;
            float scale = scales[channel];
            int zero = zeroPoints[channel];
            nint begin = (nint)item * _inner;
            int i = 0;
            if (_wide)
            {
                var (s, z) = (Vector512.Create(scale), Vector512.Create(zero));
                for (; i + 16 <= _inner; i += 16) (s * Vector512.ConvertToSingle(Load16(begin + i) - z)).Store(_y + begin + i);
            }
            if (_vector)
            {
                var (s, z) = (Vector256.Create(scale), Vector256.Create(zero));
                for (; i + 8 <= _inner; i += 8) (s * Vector256.ConvertToSingle(Load8(begin + i) - z)).Store(_y + begin + i);
            }
            for (; i < _inner; i++) _y[begin + i] = One(begin + i, scale, zero);
        }
    }

    /// <summary>The reference's element: s × (float)(q − z), the difference exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float One(nint index, float scale, int zero)
    {
        int q = _type switch
        {
            TensorType.Int8 => ((sbyte*)_x)[index],
            TensorType.UInt8 => _x[index],
            _ => ((short*)_x)[index],
        };
        float centered = q - zero;
        return scale * centered;
    }

    /// <summary>16 elements from <paramref name="index"/> as int32 lanes (AVX-512F).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Load16(nint index) => _type switch
    {
        TensorType.Int8 => Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)_x + index)),
        TensorType.UInt8 => Avx512F.ConvertToVector512Int32(Vector128.Load(_x + index)),
        _ => Avx512F.ConvertToVector512Int32(Vector256.Load((short*)_x + index)),
    };

    /// <summary>8 elements from <paramref name="index"/> as int32 lanes (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Load8(nint index) => _type switch
    {
        TensorType.Int8 => Avx2.ConvertToVector256Int32((sbyte*)_x + index),
        TensorType.UInt8 => Avx2.ConvertToVector256Int32(_x + index),
        _ => Avx2.ConvertToVector256Int32((short*)_x + index),
    };
}
