using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// LOG_SOFTMAX int8/uint8, bit-exact with the reference (docs/numerics.md §LOG_SOFTMAX): per row, m = the largest
/// stored value, sum = Σ table[255 − (m − x_j)] in order from +0 (binary32, the definition's table), ls = Log(sum),
/// c = (s_in · m + ls) / s_out, y_j = (s_in / s_out) · x_j − c, out_j = clamp(RoundHalfEven(clamp(y_j, ±1000)) + z_out).
/// The reference's scalar sequence per row; rows are split over the pool (the sum is one sequential chain per row).
/// </summary>
internal sealed unsafe class QuantizedLogSoftmaxCpuNode : ICpuCompiledNode
{
    /// <summary>A table load and a sequential add per element, then a multiply-subtract-round: split from 16K elements per thread on.</summary>
    private const int MinElementsPerThread = 16 * 1024;

    private static readonly CpuThreadPool.ChunkAction<State> Work = static (in State s, int start, int end) => Rows(s, start, end);

    private readonly Tensor _input, _output;
    private readonly float[] _table = GC.AllocateArray<float>(256, pinned: true);
    private readonly int _rows, _depth, _minRowsPerThread, _zeroPoint;
    private readonly float _inputScale;
    private readonly bool _int8;

    public QuantizedLogSoftmaxCpuNode(Tensor input, Tensor output, LogSoftmaxParams p)
    {
        if (p.QuantizedExpTable.Length != 256) throw new ArgumentException("an 8-bit LOG_SOFTMAX has a 256-entry exp table", nameof(p));
        (_input, _output, _rows, _depth) = (input, output, p.Rows, p.Depth);
        p.QuantizedExpTable.Span.CopyTo(_table);
        _int8 = input.Type == TensorType.Int8;
        _zeroPoint = p.OutputZeroPoint;
        _inputScale = p.InputScale;
        _minRowsPerThread = Math.Max(1, MinElementsPerThread / Math.Max(1, p.Depth));
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_rows == 0 || _depth == 0) return;
        float* table = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_table));
        var state = new State(RawTensorData.Read(_input), RawTensorData.Write(_output), table, _depth, _int8, _zeroPoint, _inputScale);
        Chunked.For(pool, _rows, _minRowsPerThread, state, Work);
    }

    private readonly struct State(byte* input, byte* output, float* table, int depth, bool int8, int zeroPoint, float inputScale)
    {
        public byte* Input => input;
        public byte* Output => output;
        public float* Table => table;
        public int Depth => depth;
        public bool Int8 => int8;
        public int ZeroPoint => zeroPoint;
        public float InputScale => inputScale;
    }

    [MethodImpl(JitHints.Hot)]
    private static void Rows(in State s, int start, int end)
    {
        if (s.Int8) Rows<sbyte>(s, start, end);
        else Rows<byte>(s, start, end);
    }

    [MethodImpl(JitHints.Hot)]
    private static void Rows<T>(in State s, int start, int end) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        int d = s.Depth;
        bool int8 = typeof(T) == typeof(sbyte);
        int min = int8 ? sbyte.MinValue : byte.MinValue, max = int8 ? sbyte.MaxValue : byte.MaxValue;
        const float outputScale = 16f / 256; // the definition requires exactly this output scale
        float scale = s.InputScale / outputScale;
        for (int row = start; row < end; row++)
        {
            T* x = (T*)(s.Input + (long)row * d);
            T* y = (T*)(s.Output + (long)row * d);
            int largest = min;
            for (int j = 0; j < d; j++) largest = Math.Max(largest, int.CreateTruncating(x[j]));
            float* t = s.Table + 255 - largest;
            float sum = 0f;
            for (int j = 0; j < d; j++) sum += t[int.CreateTruncating(x[j])];
            float precomputed = (s.InputScale * largest + SpecMath.Log(sum)) / outputScale;
            for (int j = 0; j < d; j++)
            {
                float bounded = Math.Clamp(scale * int.CreateTruncating(x[j]) - precomputed, -1000f, 1000f);
                int q = (int)MathF.Round(bounded, MidpointRounding.ToEven) + s.ZeroPoint;
                y[j] = T.CreateTruncating(Math.Clamp(q, min, max));
            }
        }
    }
}
