using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// An 8-bit element-wise operator as a 256-entry table of its outputs, indexed by the input byte: LOGISTIC and
/// HARD_SWISH (the definition's table), QUANTIZE between 8-bit types and DEQUANTIZE of 8-bit values (tables computed
/// here, once at compile time, with the reference's formula for every possible input, so every element is the
/// reference's by construction). Threaded in contiguous chunks. A byte → byte table with AVX-512 VBMI looks up 64
/// bytes at a time: two <c>vpermi2b</c> over the table's lower and upper 128 entries (index bits 0–6), the input
/// byte's top bit picking between them — the same table entries, so the same bytes. DEQUANTIZE's float table, whose
/// entries are scale · (float)(v − z), is computed in the lanes instead (16 with AVX-512, 8 with AVX2): the byte widened
/// to int32, − z, converted to float (exact: |v − z| &lt; 2^24) and multiplied by the scale, the same two IEEE steps as
/// the entry, so the same floats.
/// </summary>
internal sealed unsafe class ByteTableCpuNode<T> : ICpuCompiledNode where T : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<ByteTableCpuNode<T>> Work =
        static (in ByteTableCpuNode<T> node, int start, int end) => node.Map(start, end);

    private readonly Tensor _input, _output;
    private readonly T[] _table;
    private readonly bool _permute; // T is byte and VBMI runs here: 64 lookups per vpermi2b pair
    private readonly int _affineLanes; // DEQUANTIZE computed in 16 or 8 float lanes; 0: the table
    private readonly float _scale;
    private readonly int _zeroPoint;
    private readonly bool _signed;
    private byte* _x;
    private T* _y;

    public ByteTableCpuNode(Tensor input, Tensor output, T[] table)
    {
        if (table.Length != 256) throw new ArgumentException("a byte table has 256 entries", nameof(table));
        (_input, _output, _table) = (input, output, GC.AllocateArray<T>(256, pinned: true));
        table.CopyTo(_table, 0);
        _permute = typeof(T) == typeof(byte) && QuantizedIsas.Best(false) != QuantizedIsa.Scalar && Avx512Vbmi.IsSupported
            && Vector512.IsHardwareAccelerated;
    }

    /// <summary>
    /// DEQUANTIZE of <paramref name="signed"/> (int8) or uint8 bytes to float: the <see cref="QuantizedTables.Dequantize"/>
    /// table, or its formula in vector lanes where AVX2 runs and |z| ≤ 2^16.
    /// </summary>
    public ByteTableCpuNode(Tensor input, Tensor output, float scale, long zeroPoint, bool signed)
        : this(input, output, (T[])(object)QuantizedTables.Dequantize(signed ? TensorType.Int8 : TensorType.UInt8, scale, zeroPoint))
    {
        if (typeof(T) != typeof(float)) throw new InvalidOperationException("DEQUANTIZE writes float");
        (_scale, _signed) = (scale, signed);
        if (Math.Abs(zeroPoint) > 1 << 16 || QuantizedIsas.Best(false) == QuantizedIsa.Scalar) return;
        _zeroPoint = (int)zeroPoint;
        _affineLanes = Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 16 : 8;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(_output.WritableBytes));
        Chunked.For(pool, (int)_input.ElementCount, 256 * 1024, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Map(int start, int end)
    {
        T* table = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_table));
        int i = start;
        if (_permute) i = Permute((byte*)table, start, end);
        else if (_affineLanes != 0) i = Affine(start, end);
        for (; i < end; i++) _y[i] = table[_x[i]];
    }

    /// <summary>DEQUANTIZE of elements [start, the last whole 8 or 16 before end) in float lanes; returns where the tail starts.</summary>
    [MethodImpl(JitHints.Hot)]
    private int Affine(int start, int end)
    {
        float* y = (float*)_y;
        int i = start;
        if (_affineLanes == 16)
        {
            var (zero, scale) = (Vector512.Create(_zeroPoint), Vector512.Create(_scale));
            for (; i + 16 <= end; i += 16)
            {
                var v = ByteWidening.Widen16(_x + i, _signed);
                (Avx512F.ConvertToVector512Single(v - zero) * scale).Store(y + i);
            }
        }
        var (zero8, scale8) = (Vector256.Create(_zeroPoint), Vector256.Create(_scale));
        for (; i + 8 <= end; i += 8)
        {
            var v = ByteWidening.Widen8(_x + i, _signed);
            Avx.Multiply(Avx.ConvertToVector256Single(v - zero8), scale8).Store(y + i);
        }
        return i;
    }

    /// <summary>Elements [start, the last whole 64 before end) by vpermi2b; returns where the scalar tail starts.</summary>
    [MethodImpl(JitHints.Hot)]
    private int Permute(byte* table, int start, int end)
    {
        var (t0, t1) = (Vector512.Load(table), Vector512.Load(table + 64));
        var (t2, t3) = (Vector512.Load(table + 128), Vector512.Load(table + 192));
        byte* y = (byte*)_y;
        int i = start;
        for (; i + 64 <= end; i += 64)
        {
            var x = Vector512.Load(_x + i);
            // vpermi2b reads index bits 0–6 (bit 6: the second register); bit 7 picks the upper half of the table.
            var lower = Avx512Vbmi.PermuteVar64x8x2(t0, x, t1);
            var upper = Avx512Vbmi.PermuteVar64x8x2(t2, x, t3);
            Avx512BW.BlendVariable(lower, upper, x).Store(y + i);
        }
        return i;
    }
}

/// <summary>The tables of the 8-bit element-wise nodes, each entry by the reference kernel's formula.</summary>
internal static class QuantizedTables
{
    /// <summary>QUANTIZE int8/uint8 → int8/uint8: clamp(MultiplyByQuantizedMultiplier(v − z_in, M) + z_out) for every input byte.</summary>
    public static byte[] Requantize(TensorType inputType, QuantizeParams p)
    {
        var table = new byte[256];
        for (int b = 0; b < 256; b++)
        {
            int v = inputType == TensorType.Int8 ? (sbyte)b : b;
            int q = Quantization.MultiplyByQuantizedMultiplier(v - p.InputZeroPoint, p.Requantize) + p.OutputZeroPoint;
            table[b] = (byte)Math.Clamp(q, p.OutputMin, p.OutputMax);
        }
        return table;
    }

    /// <summary>DEQUANTIZE of a per-tensor int8/uint8 input: scale · (float)(v − zero point), one rounding, for every input byte.</summary>
    public static float[] Dequantize(TensorType inputType, float scale, long zeroPoint)
    {
        var table = new float[256];
        for (int b = 0; b < 256; b++)
        {
            long v = inputType == TensorType.Int8 ? (sbyte)b : b;
            float centered = v - zeroPoint;
            table[b] = scale * centered;
        }
        return table;
    }
}

/// <summary>
/// QUANTIZE float32 → int8/uint8/int16: q = clamp(round(x / s) + z) with one binary32 division, halves away from zero, NaN
/// as the zero point and infinities saturating (the reference's QuantizeFloat). 16 lanes at a time with AVX-512, 8 with AVX2 (the same
/// division; the rounding as truncation plus a step away from zero where the exact remainder is at least one half),
/// the tail and the scalar path per element; threaded.
/// </summary>
internal sealed unsafe class QuantizeFloatCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizeFloatCpuNode> Work =
        static (in QuantizeFloatCpuNode node, int start, int end) => node.Map(start, end);

    private readonly Tensor _input, _output;
    private readonly float _scale;
    private readonly int _zeroPoint, _min, _max;
    private float* _x;
    private byte* _y;

    private readonly bool _vector = Avx2.IsSupported && SimdPath.ForcedLanes != 1;
    private readonly bool _wide = Avx2.IsSupported && SimdPath.ForcedLanes != 1 && Avx512BW.IsSupported && Vector512.IsHardwareAccelerated;
    private readonly bool _int16; // int16 output (else one byte an element)

    public QuantizeFloatCpuNode(Tensor input, Tensor output, QuantizeParams p)
    {
        (_input, _output, _scale, _zeroPoint, _min, _max) = (input, output, p.OutputScale, p.OutputZeroPoint, p.OutputMin, p.OutputMax);
        _int16 = output.Type == TensorType.Int16;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(_input.Read<float>()));
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        Chunked.For(pool, (int)_input.ElementCount, 64 * 1024, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Map(int start, int end)
    {
        // The rounded quotient is clamped to [min − z, max − z] in float (exact small integers) before the conversion,
        // which gives the reference's clamp(rounded + z) for every finite or infinite value; NaN gives z.
        float low = _min - _zeroPoint, high = _max - _zeroPoint;
        int i = start;
        if (_wide)
        {
            // The 8-lane steps below on 16 lanes (the same IEEE operations per lane), stored by vpmovdb.
            var scale = Vector512.Create(_scale);
            var (lowV, highV, zero) = (Vector512.Create(low), Vector512.Create(high), Vector512.Create(_zeroPoint));
            var half = Vector512.Create(0.5f);
            var one = Vector512.Create(1f);
            var sign = Vector512.Create(-0f);
            for (; i + 16 <= end; i += 16)
            {
                var quotient = Avx512F.Divide(Vector512.Load(_x + i), scale);
                var truncated = Avx512F.RoundScale(quotient, 0x0B); // toward zero, exceptions suppressed
                var remainder = Vector512.AndNot(quotient - truncated, sign);
                var step = Vector512.GreaterThanOrEqual(remainder, half) & (one | (quotient & sign));
                var clamped = Avx512F.Max(Avx512F.Min(Avx512F.Add(truncated, step), highV), lowV);
                var q = Avx512F.ConvertToVector512Int32WithTruncation(clamped) + zero;
                q = Vector512.ConditionalSelect(Vector512.Equals(quotient, quotient).AsInt32(), q, zero);
                if (_int16) Avx512BW.ConvertToVector256Int16(q).Store((short*)_y + i);
                else Avx512F.ConvertToVector128Byte(q).Store(_y + i);
            }
        }
        if (_vector)
        {
            var scale = Vector256.Create(_scale);
            var (lowV, highV, zero) = (Vector256.Create(low), Vector256.Create(high), Vector256.Create(_zeroPoint));
            var half = Vector256.Create(0.5f);
            var one = Vector256.Create(1f);
            var sign = Vector256.Create(-0f);
            for (; i + 8 <= end; i += 8)
            {
                var quotient = Avx.Divide(Avx.LoadVector256(_x + i), scale);
                // |quotient − trunc(quotient)| is exact; at least ½ steps away from zero (halves away, as MathF.Round's
                // AwayFromZero). |t| < 2^23 whenever the step is taken, so t ± 1 is exact; infinities give a NaN
                // remainder and no step; NaN lanes become the zero point below.
                var truncated = Avx.RoundToZero(quotient);
                var remainder = Avx.AndNot(sign, Avx.Subtract(quotient, truncated));
                var step = Avx.And(Avx.CompareGreaterThanOrEqual(remainder, half), Avx.Or(one, Avx.And(quotient, sign)));
                var clamped = Avx.Max(Avx.Min(Avx.Add(truncated, step), highV), lowV);
                var q = Avx2.Add(Avx.ConvertToVector256Int32WithTruncation(clamped), zero);
                q = Avx2.BlendVariable(q, zero, Avx.CompareUnordered(quotient, quotient).AsInt32());
                if (_int16) Avx2.Permute4x64(Avx2.PackSignedSaturate(q, q).AsInt64(), 0b11_01_10_00).AsInt16().GetLower().Store((short*)_y + i);
                else QuantizedEpilogue.Store8(q, _y + i, 8);
            }
        }
        for (; i < end; i++)
        {
            float rounded = MathF.Round(_x[i] / _scale, MidpointRounding.AwayFromZero);
            int q = float.IsNaN(rounded) ? _zeroPoint : (int)Math.Clamp(rounded, low, high) + _zeroPoint;
            if (_int16) ((short*)_y)[i] = (short)q;
            else _y[i] = (byte)q;
        }
    }
}
