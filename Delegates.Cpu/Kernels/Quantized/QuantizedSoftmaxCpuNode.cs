using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// SOFTMAX int8/uint8, bit-exact with the reference (docs/numerics.md §Quantized execution, SOFTMAX): per row of the
/// definition's <see cref="SoftmaxParams.Depth"/> bytes, m = the largest stored value, e_j = table[255 − (m − x_j)] from
/// the definition's exp table, sum = e_0 + e_1 + … in order from +0 (binary32), r = 1 / (sum · s_y), then int8:
/// clamp((int)round(e_j · r) + z_y) with halves away from zero, uint8: clamp((int)(e_j · r + 0.5)).
/// <para>
/// What is vectorised never changes a result: the maximum (an integer maximum in any order), and with AVX2 the output,
/// eight elements at a time — the table entries gathered, one binary32 multiply per lane as the reference's, the
/// rounding done exactly (int8: trunc(v) + (v − trunc(v) ≥ ½), v ≥ 0, the subtraction exact; uint8: trunc(v + 0.5f)),
/// then the clamp. Values the vector conversion could not take (NaN, ≥ 2^30, only possible with degenerate output scales)
/// are first mapped to what .NET's saturating scalar conversion gives them after the clamp. The sum stays one
/// sequential chain per row; four rows' chains run interleaved so the adds overlap. Rows are split over the pool.
/// </para>
/// </summary>
internal sealed unsafe class QuantizedSoftmaxCpuNode : ICpuCompiledNode
{
    /// <summary>About 1.5 ns per element (a table load and the sequential add): split from 16K elements per thread on.</summary>
    private const int MinElementsPerThread = 16 * 1024;

    private static readonly CpuThreadPool.ChunkAction<State> Work = static (in State s, int start, int end) => Rows(s, start, end);

    private readonly Tensor _input, _output;
    private readonly float[] _table = GC.AllocateArray<float>(256, pinned: true);
    private readonly int _rows, _depth, _minRowsPerThread, _zeroPoint;
    private readonly float _outputScale;
    private readonly bool _int8;
    private readonly bool _vector = Avx2.IsSupported && SimdPath.ForcedLanes != 1;

    public QuantizedSoftmaxCpuNode(Tensor input, Tensor output, SoftmaxParams p)
    {
        if (p.QuantizedExpTable.Length != 256) throw new ArgumentException("an 8-bit SOFTMAX has a 256-entry exp table", nameof(p));
        (_input, _output, _rows, _depth) = (input, output, p.Rows, p.Depth);
        p.QuantizedExpTable.Span.CopyTo(_table);
        _int8 = input.Type == TensorType.Int8;
        _zeroPoint = p.QuantizedOutput.ZeroPoint;
        _outputScale = p.QuantizedOutput.Scale;
        _minRowsPerThread = Math.Max(1, MinElementsPerThread / Math.Max(1, p.Depth));
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_rows == 0) return;
        float* table = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_table));
        var state = new State(RawTensorData.Read(_input), RawTensorData.Write(_output), table, _depth, _int8, _zeroPoint, _outputScale, _vector);
        Chunked.For(pool, _rows, _minRowsPerThread, state, Work);
    }

    private readonly struct State(byte* input, byte* output, float* table, int depth, bool int8, int zeroPoint, float outputScale, bool vector)
    {
        public byte* Input => input;
        public byte* Output => output;
        public float* Table => table;
        public int Depth => depth;
        public bool Int8 => int8;
        public int ZeroPoint => zeroPoint;
        public float OutputScale => outputScale;
        public bool Vector => vector;
    }

    /// <summary>Rows [start, end): four at a time (their sums interleaved), then one at a time.</summary>
    [MethodImpl(JitHints.Hot)]
    private static void Rows(in State s, int start, int end)
    {
        int d = s.Depth;
        int row = start;
        for (; row <= end - 4; row += 4)
        {
            byte* x0 = s.Input + (long)row * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d;
            // e_j = t[x_j] with t = table + 255 − m (x_j read as the stored type).
            float* t0 = s.Table + 255 - Max(x0, d, s.Int8), t1 = s.Table + 255 - Max(x1, d, s.Int8);
            float* t2 = s.Table + 255 - Max(x2, d, s.Int8), t3 = s.Table + 255 - Max(x3, d, s.Int8);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            if (s.Int8)
            {
                sbyte* a = (sbyte*)x0, b = (sbyte*)x1, c = (sbyte*)x2, e = (sbyte*)x3;
                for (int j = 0; j < d; j++)
                {
                    s0 += t0[a[j]];
                    s1 += t1[b[j]];
                    s2 += t2[c[j]];
                    s3 += t3[e[j]];
                }
            }
            else
            {
                for (int j = 0; j < d; j++)
                {
                    s0 += t0[x0[j]];
                    s1 += t1[x1[j]];
                    s2 += t2[x2[j]];
                    s3 += t3[x3[j]];
                }
            }
            byte* y = s.Output + (long)row * d;
            WriteRow(s, x0, y, t0, 1f / (s0 * s.OutputScale));
            WriteRow(s, x1, y + d, t1, 1f / (s1 * s.OutputScale));
            WriteRow(s, x2, y + 2 * d, t2, 1f / (s2 * s.OutputScale));
            WriteRow(s, x3, y + 3 * d, t3, 1f / (s3 * s.OutputScale));
        }
        for (; row < end; row++)
        {
            byte* x = s.Input + (long)row * d;
            float* t = s.Table + 255 - Max(x, d, s.Int8);
            float sum = 0f;
            if (s.Int8)
                for (int j = 0; j < d; j++) sum += t[((sbyte*)x)[j]];
            else
                for (int j = 0; j < d; j++) sum += t[x[j]];
            WriteRow(s, x, s.Output + (long)row * d, t, 1f / (sum * s.OutputScale));
        }
    }

    /// <summary>The row's largest stored value (as int8 or uint8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Max(byte* x, int d, bool int8)
    {
        int j = 0;
        int largest = int8 ? sbyte.MinValue : byte.MinValue;
        if (Vector256.IsHardwareAccelerated && d >= 32)
        {
            if (int8)
            {
                var m = Vector256.Load((sbyte*)x);
                for (j = 32; j <= d - 32; j += 32) m = Vector256.Max(m, Vector256.Load((sbyte*)x + j));
                m = Vector256.Max(m, Vector256.Load((sbyte*)x + d - 32)); // overlapping last vector: a maximum is idempotent
                var half = Vector128.Max(m.GetLower(), m.GetUpper());
                for (int l = 0; l < 16; l++) largest = Math.Max(largest, half.GetElement(l));
            }
            else
            {
                var m = Vector256.Load(x);
                for (j = 32; j <= d - 32; j += 32) m = Vector256.Max(m, Vector256.Load(x + j));
                m = Vector256.Max(m, Vector256.Load(x + d - 32));
                var half = Vector128.Max(m.GetLower(), m.GetUpper());
                for (int l = 0; l < 16; l++) largest = Math.Max(largest, half.GetElement(l));
            }
            return largest;
        }
        if (int8)
            for (; j < d; j++) largest = Math.Max(largest, ((sbyte*)x)[j]);
        else
            for (; j < d; j++) largest = Math.Max(largest, x[j]);
        return largest;
    }

    /// <summary>y_j from e_j = t[x_j] and r: eight lanes at a time with AVX2, the rest by the reference's scalar formula.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(in State s, byte* x, byte* y, float* t, float r)
    {
        int d = s.Depth;
        int j = 0;
        if (s.Vector && d >= 8)
        {
            var vr = Vector256.Create(r);
            var half = Vector256.Create(0.5f);
            var one = Vector256.Create(1f);
            // Beyond 2^30 every result clamps to the top; NaN (0 · ∞) converts to 0 in .NET's scalar conversion.
            var ceiling = Vector256.Create(1073741824f);
            var zeroPoint = Vector256.Create(s.Int8 ? s.ZeroPoint : 0);
            var low = Vector256.Create(s.Int8 ? (int)sbyte.MinValue : byte.MinValue);
            var high = Vector256.Create(s.Int8 ? (int)sbyte.MaxValue : byte.MaxValue);
            for (; j <= d - 8; j += 8)
            {
                var index = ByteWidening.Widen8(x + j, s.Int8);
                var v = Avx.Multiply(Avx2.GatherVector256(t, index, 4), vr);
                v = Avx.And(v, Avx.CompareOrdered(v, v));
                v = Avx.Min(v, ceiling);
                Vector256<int> q;
                if (s.Int8)
                {
                    var whole = Avx.RoundToZero(v);
                    var rounded = Avx.Add(whole, Avx.And(Avx.CompareGreaterThanOrEqual(Avx.Subtract(v, whole), half), one));
                    q = Avx2.Add(Avx.ConvertToVector256Int32WithTruncation(rounded), zeroPoint);
                }
                else
                    q = Avx.ConvertToVector256Int32WithTruncation(Avx.Add(v, half));
                q = Avx2.Min(Avx2.Max(q, low), high);
                var narrowed = Vector128.Narrow(Vector256.Narrow(q, q).GetLower(), default(Vector128<short>));
                *(long*)(y + j) = narrowed.AsInt64().ToScalar();
            }
        }
        for (; j < d; j++)
        {
            if (s.Int8)
            {
                float v = t[((sbyte*)x)[j]] * r;
                int q = (int)MathF.Round(v, MidpointRounding.AwayFromZero) + s.ZeroPoint;
                y[j] = (byte)(sbyte)Math.Clamp(q, sbyte.MinValue, sbyte.MaxValue);
            }
            else
            {
                float v = t[x[j]] * r;
                y[j] = (byte)Math.Clamp((int)(v + 0.5f), byte.MinValue, byte.MaxValue);
            }
        }
    }
}
