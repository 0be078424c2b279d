using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// MAX_POOL_2D and AVERAGE_POOL_2D on int8/uint8/int16 NHWC (the reference's QuantizedKernels.Pool and
/// Int16x8Kernels.Pool): over the in-bounds taps the maximum, or the exact int32 sum divided by the tap count with halves
/// away from zero ((s ± n/2) / n, truncating); then the clamp. No rescaling. Threads take output rows.
/// The maximum runs on the widest vector of the chosen width (64, 32 or 16 bytes of lanes); a channel count that is
/// not a multiple of the vector ends with one more vector over the last channels, overlapping the one before it (the
/// overlapped channels are written twice with the same values). The average's channels run on int32 lanes (16 with
/// AVX-512, 64 channels per step with four accumulators; 8 with AVX2), the sums widened from the elements, the tail
/// again one overlapping vector, and the division as a float division truncated: exact for tap counts n ≤ 2^16 on
/// 8-bit elements, since a = s ± ⌊n/2⌋ is then an integer below 2^24 in magnitude (a float exactly) and a / n, when not
/// an integer, lies at least 1/n ≥ 2^−16 from every integer while |a / n| &lt; 2^8 puts the correctly rounded quotient
/// within 2^−17 of it, so truncating the quotient truncates a / n; on int16 elements the same holds for n ≤ 2^8
/// (|a| &lt; 2^23, |a / n| ≤ 2^15 within 2^−10 of the quotient, 1/n ≥ 2^−8) (docs/numerics.md §Quantized execution).
/// Channel counts below one vector, larger tap counts and the scalar path run the reference's steps, taps outermost.
/// </summary>
internal sealed unsafe class QuantizedPoolCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedPoolCpuNode> Work =
        static (in QuantizedPoolCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly Pool2DGeometry _g;
    private readonly int _batches, _height, _width, _depth, _outputHeight, _outputWidth, _min, _max;
    private readonly TensorType _type;
    private readonly bool _average;
    private readonly int _elementSize; // 1 (int8, uint8) or 2 (int16)
    private readonly SimdWidth _vector; // the maximum's vector width (scalar on the scalar path)
    private readonly int _lanes; // the average's int32 lanes: 16 (AVX-512), 8 (AVX2) or 1 (scalar)
    private readonly int _maxLaneTaps;
    private byte* _x, _y;

    /// <summary>The largest tap count whose 8-bit average the float division finishes exactly (see the class summary).</summary>
    internal const int MaxLaneTaps = 1 << 16;

    /// <summary>The largest tap count whose int16 average the float division finishes exactly (see the class summary).</summary>
    internal const int MaxLaneTaps16 = 1 << 8;

    public QuantizedPoolCpuNode(Tensor input, Tensor output, Pool2DParams p, QuantizedPoolParams q, bool average, QuantizedIsa isa)
    {
        _vector = isa == QuantizedIsa.Scalar ? SimdWidth.Scalar : SimdWidths.Current;
        _lanes = _vector >= SimdWidth.W512 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 16
            : _vector >= SimdWidth.W256 && Avx2.IsSupported ? 8 : 1;
        (_input, _output, _g, _average, _min, _max) = (input, output, p.Geometry, average, q.ActivationMin, q.ActivationMax);
        (_batches, _height, _width, _depth) = (input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        (_outputHeight, _outputWidth) = (output.Dim(1), output.Dim(2));
        _type = input.Type;
        _elementSize = _type == TensorType.Int16 ? 2 : 1;
        _maxLaneTaps = _elementSize == 2 ? MaxLaneTaps16 : MaxLaneTaps;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_batches * _outputHeight, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        switch (_type)
        {
            case TensorType.Int8: Rows<sbyte>(start, end); break;
            case TensorType.UInt8: Rows<byte>(start, end); break;
            default: Rows<short>(start, end); break;
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows<T>(int start, int end) where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var g = _g;
        int depth = _depth;
        int* acc = stackalloc int[Math.Min(depth, AccumulatorChannels)];
        // Fewer channels than one vector with horizontal stride 1 (MLSD's 1-channel 3×3 score pool): the interior
        // pixels, whose windows are whole horizontally, are one flat run of output elements; element j of the run reads
        // element j + kx·depth of each tap row, so the maximum vectorizes along the row.
        bool flat = !_average && g.StrideW == 1 && _vector != SimdWidth.Scalar && depth < Vector128<T>.Count;
        int interiorBegin = 0, interiorEnd = 0;
        if (flat)
        {
            interiorBegin = Math.Min(_outputWidth, g.PadLeft);
            interiorEnd = Math.Max(interiorBegin, Math.Min(_outputWidth, _width - g.FilterW + 1 + g.PadLeft));
        }
        // At least one vector of channels: the maximum of the pixels whose windows are whole horizontally runs as one
        // loop over them (the per-pixel window bookkeeping cost more than the maxima on 16-channel int8 pools).
        int wholeBegin = 0, wholeEnd = 0;
        if (!_average && !flat && _vector != SimdWidth.Scalar && depth >= Vector128<T>.Count)
        {
            wholeBegin = Math.Min(_outputWidth, (g.PadLeft + g.StrideW - 1) / g.StrideW);
            int last = _width - g.FilterW + g.PadLeft; // a window whole on the right starts at ox · StrideW ≤ last
            wholeEnd = last < 0 ? wholeBegin : Math.Max(wholeBegin, Math.Min(_outputWidth, last / g.StrideW + 1));
        }
        for (int row = start; row < end; row++)
        {
            int oy = row % _outputHeight, b = row / _outputHeight;
            var (kyStart, kyEnd) = Pool2DGeometry.Taps(oy, g.StrideH, g.PadTop, g.FilterH, _height);
            int iyOrigin = oy * g.StrideH - g.PadTop;
            T* outRow = (T*)_y + (nint)row * _outputWidth * depth;
            bool run = interiorEnd - interiorBegin > 0 && kyEnd > kyStart
                && MaxRun(new Window(b, iyOrigin + kyStart, interiorBegin - g.PadLeft, kyEnd - kyStart, g.FilterW),
                    (interiorEnd - interiorBegin) * depth, outRow + (nint)interiorBegin * depth);
            var (runBegin, runEnd) = (interiorBegin, interiorEnd);
            if (wholeEnd > wholeBegin && kyEnd > kyStart)
            {
                MaxPixels(new Window(b, iyOrigin + kyStart, wholeBegin * g.StrideW - g.PadLeft, kyEnd - kyStart, g.FilterW),
                    wholeEnd - wholeBegin, outRow + (nint)wholeBegin * depth);
                (run, runBegin, runEnd) = (true, wholeBegin, wholeEnd);
            }
            for (int ox = 0; ox < _outputWidth; ox++)
            {
                if (run && ox == runBegin) { ox = runEnd - 1; continue; }
                var (kxStart, kxEnd) = Pool2DGeometry.Taps(ox, g.StrideW, g.PadLeft, g.FilterW, _width);
                int ixOrigin = ox * g.StrideW - g.PadLeft;
                T* y = outRow + (nint)ox * depth;
                int count = Math.Max(0, kyEnd - kyStart) * Math.Max(0, kxEnd - kxStart);
                var window = new Window(b, iyOrigin + kyStart, ixOrigin + kxStart, kyEnd - kyStart, kxEnd - kxStart);
                int c = count == 0 ? 0 : _average ? AverageLanes(window, count, (byte*)y) : MaxVectors(window, y);
                if (c < depth) Remainder(window, count, c, acc, y);
            }
        }
    }

    /// <summary>The in-bounds taps of one output pixel: rows [iy, iy + rows), columns [ix, ix + columns).</summary>
    private readonly record struct Window(int Batch, int Iy, int Ix, int Rows, int Columns);

    /// <summary>
    /// The maxima of a flat run of <paramref name="length"/> output elements whose taps are element j + kx·depth of each
    /// tap row from <paramref name="w"/>'s first pixel, on this width's vectors (the last overlapping the one before);
    /// false (nothing written) when the run is shorter than one vector.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private bool MaxRun<T>(Window w, int length, T* y) where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        if (_vector >= SimdWidth.W256 && length >= Vector256<T>.Count) MaxLanes<Lanes256<T>, Vector256<T>, T>(w, _depth, length, y);
        else if (length >= Vector128<T>.Count) MaxLanes<Lanes128<T>, Vector128<T>, T>(w, _depth, length, y);
        else return false;
        return true;
    }

    /// <summary>
    /// The reference's steps for channels [c, depth): one channel at a time in a register for a few channels, else taps
    /// outermost (each tap's channels read in order) with the sums or maxima in <paramref name="acc"/>.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Remainder<T>(Window w, int count, int c, int* acc, T* y) where T : unmanaged, INumber<T>
    {
        int depth = _depth;
        nint row = (nint)_width * depth;
        T* x = (T*)Pixel(w.Batch, w.Iy, w.Ix);
        if (depth - c < 4)
        {
            for (; c < depth; c++)
            {
                int a = _average ? 0 : int.MinValue;
                for (int ky = 0; ky < w.Rows; ky++)
                {
                    T* tap = x + ky * row + c;
                    for (int kx = 0; kx < w.Columns; kx++, tap += depth)
                        a = _average ? a + int.CreateTruncating(*tap) : Math.Max(a, int.CreateTruncating(*tap));
                }
                y[c] = Finish<T>(a, count);
            }
            return;
        }
        // Blocks of at most AccumulatorChannels channels: the accumulators stay a bounded stack buffer.
        for (; c < depth; c += AccumulatorChannels)
        {
            int end = Math.Min(depth, c + AccumulatorChannels);
            for (int k = c; k < end; k++) acc[k - c] = _average ? 0 : int.MinValue;
            // Eight channels a step where the sums run in int32 lanes (the same int32 arithmetic, wrapping alike): a
            // global average pool's taps are far more than the vector kernels' exact-division bound.
            int vectorEnd = _average && _lanes > 1 ? c + (end - c) / 8 * 8 : c;
            for (int ky = 0; ky < w.Rows; ky++)
            {
                T* tap = x + ky * row;
                for (int kx = 0; kx < w.Columns; kx++, tap += depth)
                {
                    if (_average)
                    {
                        int k = c;
                        for (; k < vectorEnd; k += 8) Avx2.Add(Vector256.Load(acc + (k - c)), WidenEight(tap + k)).Store(acc + (k - c));
                        for (; k < end; k++) acc[k - c] += int.CreateTruncating(tap[k]);
                    }
                    else for (int k = c; k < end; k++) acc[k - c] = Math.Max(acc[k - c], int.CreateTruncating(tap[k]));
                }
            }
            for (int k = c; k < end; k++) y[k] = Finish<T>(acc[k - c], count);
        }
    }

    /// <summary>Eight consecutive elements of the pool's type widened to int32 (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> WidenEight<T>(T* x) where T : unmanaged =>
        typeof(T) == typeof(short) ? Avx2.ConvertToVector256Int32((short*)x)
        : typeof(T) == typeof(sbyte) ? Avx2.ConvertToVector256Int32((sbyte*)x)
        : Avx2.ConvertToVector256Int32((byte*)x);

    /// <summary>Channels accumulated together by <see cref="Remainder{T}"/> (its stack buffer's length).</summary>
    private const int AccumulatorChannels = 1024;

    /// <summary>The average's rounding division (halves away from zero, truncating) where averaging, then the clamp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T Finish<T>(int value, int count) where T : unmanaged, INumber<T>
    {
        if (_average) value = value > 0 ? (value + count / 2) / count : (value - count / 2) / count;
        return T.CreateTruncating(value < _min ? _min : value > _max ? _max : value);
    }

    /// <summary>
    /// The window maximum of every channel on vectors of the chosen width, the last vector overlapping the one before
    /// it when the channels are not a multiple of it; returns how many channels it wrote (0 when fewer than one vector).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private int MaxVectors<T>(Window w, T* y) where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        if (_depth < Vector128<T>.Count || _vector == SimdWidth.Scalar) return 0;
        MaxPixels(w, 1, y);
        return _depth;
    }

    /// <summary>
    /// Every channel of <paramref name="pixels"/> adjacent output pixels (at least one vector of channels), the first
    /// one's window <paramref name="w"/>, each next one's StrideW input pixels on (the same rows and columns of taps).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void MaxPixels<T>(Window w, int pixels, T* y) where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        int depth = _depth;
        if (_vector >= SimdWidth.W512 && depth >= Vector512<T>.Count) MaxLanes<Lanes512<T>, Vector512<T>, T>(w, depth, depth, y, pixels);
        else if (_vector >= SimdWidth.W256 && depth >= Vector256<T>.Count) MaxLanes<Lanes256<T>, Vector256<T>, T>(w, depth, depth, y, pixels);
        else MaxLanes<Lanes128<T>, Vector128<T>, T>(w, depth, depth, y, pixels);
    }

    /// <summary>
    /// y[j] = clamp(max over the window's taps of x[tap + j]) for j in [0, length) (length ≥ one vector), tap k·step
    /// apart along a row: one vector at a time, the last overlapping the one before it; then, for each further of
    /// <paramref name="pixels"/>, the same StrideW input pixels on into the next <paramref name="length"/> outputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MaxLanes<TL, TV, T>(Window w, nint step, int length, T* y, int pixels = 1)
        where TL : IIntegerLanes<TV, T> where TV : unmanaged where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        int n = TL.Count;
        var (lowest, min, max) = (TL.Splat(T.MinValue), TL.Splat(T.CreateTruncating(_min)), TL.Splat(T.CreateTruncating(_max)));
        nint row = (nint)_width * _depth, pixelStep = (nint)_g.StrideW * _depth;
        T* x = (T*)Pixel(w.Batch, w.Iy, w.Ix);
        for (int p = 0; p < pixels; p++, x += pixelStep, y += length)
            for (int j = 0; ; j += n)
            {
                if (j + n > length) j = length - n;
                var m = lowest;
                for (int ky = 0; ky < w.Rows; ky++)
                {
                    T* tap = x + ky * row + j;
                    for (int kx = 0; kx < w.Columns; kx++, tap += step) m = TL.Max(m, TL.Load(tap));
                }
                TL.Store(TL.Min(TL.Max(m, min), max), y + j);
                if (j + n == length) break;
            }
    }

    /// <summary>
    /// The average of every channel of one output pixel on int32 lanes, the last vector overlapping the one before it
    /// when the channels are not a multiple of the lanes; returns how many channels it wrote (0 on the scalar path,
    /// with fewer channels than lanes, or beyond the exact tap count).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private int AverageLanes(Window w, int count, byte* y)
    {
        int depth = _depth;
        if (_lanes == 1 || count > _maxLaneTaps || depth < 8) return 0;
        nint pixel = (nint)depth * _elementSize, row = (nint)_width * pixel;
        byte* x = Pixel(w.Batch, w.Iy, w.Ix);
        return _lanes == 16 && depth >= 16
            ? AverageVectors<AverageLanes512, Vector512<int>>(w, count, x, pixel, row, y)
            : AverageVectors<AverageLanes256, Vector256<int>>(w, count, x, pixel, row, y);
    }

    /// <summary>
    /// <see cref="AverageLanes"/> on one vector width: four vectors of channels at a time, then one at a time, the last
    /// one stepped back over channels already written (the same bytes again).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int AverageVectors<TL, TV>(Window w, int count, byte* x, nint pixel, nint row, byte* y)
        where TL : struct, IAverageLanes<TV> where TV : unmanaged
    {
        int depth = _depth, lanes = TL.Count, size = _elementSize, min = _min, max = _max;
        var type = _type;
        nint step = (nint)lanes * size;
        int c = 0;
        for (; c + 4 * lanes <= depth; c += 4 * lanes)
        {
            TV s0 = default, s1 = default, s2 = default, s3 = default;
            for (int ky = 0; ky < w.Rows; ky++)
            {
                byte* tap = x + ky * row + (nint)c * size;
                for (int kx = 0; kx < w.Columns; kx++, tap += pixel)
                {
                    s0 = TL.Add(s0, TL.Widen(tap, type));
                    s1 = TL.Add(s1, TL.Widen(tap + step, type));
                    s2 = TL.Add(s2, TL.Widen(tap + 2 * step, type));
                    s3 = TL.Add(s3, TL.Widen(tap + 3 * step, type));
                }
            }
            byte* output = y + (nint)c * size;
            TL.Store(TL.Average(s0, count, min, max), output, size);
            TL.Store(TL.Average(s1, count, min, max), output + step, size);
            TL.Store(TL.Average(s2, count, min, max), output + 2 * step, size);
            TL.Store(TL.Average(s3, count, min, max), output + 3 * step, size);
        }
        for (; c < depth; c += lanes)
        {
            if (c + lanes > depth) c = depth - lanes;
            TV s0 = default;
            for (int ky = 0; ky < w.Rows; ky++)
            {
                byte* tap = x + ky * row + (nint)c * size;
                for (int kx = 0; kx < w.Columns; kx++, tap += pixel) s0 = TL.Add(s0, TL.Widen(tap, type));
            }
            TL.Store(TL.Average(s0, count, min, max), y + (nint)c * size, size);
        }
        return depth;
    }

    private byte* Pixel(int b, int iy, int ix) => _x + ((nint)(b * _height + iy) * _width + ix) * _depth * _elementSize;
}

/// <summary>
/// The integer average pool's int32 sums on one vector width: a tap's elements widened, added, then
/// (s ± ⌊n/2⌋) / n truncated (the sign of s choosing; s = 0 gives 0 either way; the float division is exact for the
/// tap counts the pool allows, docs/numerics.md), clamped and stored as the output type.
/// </summary>
internal unsafe interface IAverageLanes<TV> where TV : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Widen(byte* tap, TensorType type);
    static abstract TV Add(TV a, TV b);
    static abstract TV Average(TV sum, int count, int min, int max);
    static abstract void Store(TV value, byte* output, int elementSize);
}

internal readonly unsafe struct AverageLanes512 : IAverageLanes<Vector512<int>>
{
    public static int Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Widen(byte* tap, TensorType type) => type switch
    {
        TensorType.Int8 => Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)tap)),
        TensorType.UInt8 => Avx512F.ConvertToVector512Int32(Vector128.Load(tap)),
        _ => Avx512F.ConvertToVector512Int32(Vector256.Load((short*)tap)),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Add(Vector512<int> a, Vector512<int> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Average(Vector512<int> sum, int count, int min, int max)
    {
        var half = Vector512.Create(count / 2);
        var rounded = sum + Vector512.ConditionalSelect(Vector512.GreaterThan(sum, Vector512<int>.Zero), half, -half);
        var quotient = Avx512F.ConvertToVector512Int32WithTruncation(Avx512F.Divide(Avx512F.ConvertToVector512Single(rounded), Vector512.Create((float)count)));
        return Vector512.Min(Vector512.Max(quotient, Vector512.Create(min)), Vector512.Create(max));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<int> value, byte* output, int elementSize)
    {
        if (elementSize == 2) Avx512F.ConvertToVector256Int16(value).Store((short*)output);
        else Avx512F.ConvertToVector128Byte(value).Store(output);
    }
}

internal readonly unsafe struct AverageLanes256 : IAverageLanes<Vector256<int>>
{
    public static int Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Widen(byte* tap, TensorType type) => type switch
    {
        TensorType.Int8 => Avx2.ConvertToVector256Int32((sbyte*)tap),
        TensorType.UInt8 => Avx2.ConvertToVector256Int32(tap),
        _ => Avx2.ConvertToVector256Int32((short*)tap),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> a, Vector256<int> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Average(Vector256<int> sum, int count, int min, int max)
    {
        var half = Vector256.Create(count / 2);
        var rounded = sum + Vector256.ConditionalSelect(Vector256.GreaterThan(sum, Vector256<int>.Zero), half, -half);
        var quotient = Avx.ConvertToVector256Int32WithTruncation(Avx.Divide(Avx.ConvertToVector256Single(rounded), Vector256.Create((float)count)));
        return Avx2.Min(Avx2.Max(quotient, Vector256.Create(min)), Vector256.Create(max));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<int> value, byte* output, int elementSize)
    {
        if (elementSize == 2)
        {
            // vpackssdw packs within 128-bit halves: the low half's 4 shorts, then the high half's (the lanes are clamped
            // to int16 already, so no saturation happens).
            var packed = Avx2.PackSignedSaturate(value, value).AsUInt64();
            ((ulong*)output)[0] = packed.GetElement(0);
            ((ulong*)output)[1] = packed.GetElement(2);
        }
        else QuantizedEpilogue.Store8(value, output, 8);
    }
}

/// <summary>The few vector operations the integer pools' maximum needs, on one vector width (Vector128/256/512 of T).</summary>
internal unsafe interface IIntegerLanes<TV, T> where TV : unmanaged where T : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Splat(T value);
    static abstract TV Load(T* source);
    static abstract void Store(TV value, T* destination);
    static abstract TV Max(TV a, TV b);
    static abstract TV Min(TV a, TV b);
}

internal readonly unsafe struct Lanes128<T> : IIntegerLanes<Vector128<T>, T> where T : unmanaged
{
    public static int Count => Vector128<T>.Count;
    public static Vector128<T> Splat(T value) => Vector128.Create(value);
    public static Vector128<T> Load(T* source) => Vector128.Load(source);
    public static void Store(Vector128<T> value, T* destination) => value.Store(destination);
    public static Vector128<T> Max(Vector128<T> a, Vector128<T> b) => Vector128.Max(a, b);
    public static Vector128<T> Min(Vector128<T> a, Vector128<T> b) => Vector128.Min(a, b);
}

internal readonly unsafe struct Lanes256<T> : IIntegerLanes<Vector256<T>, T> where T : unmanaged
{
    public static int Count => Vector256<T>.Count;
    public static Vector256<T> Splat(T value) => Vector256.Create(value);
    public static Vector256<T> Load(T* source) => Vector256.Load(source);
    public static void Store(Vector256<T> value, T* destination) => value.Store(destination);
    public static Vector256<T> Max(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);
    public static Vector256<T> Min(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);
}

internal readonly unsafe struct Lanes512<T> : IIntegerLanes<Vector512<T>, T> where T : unmanaged
{
    public static int Count => Vector512<T>.Count;
    public static Vector512<T> Splat(T value) => Vector512.Create(value);
    public static Vector512<T> Load(T* source) => Vector512.Load(source);
    public static void Store(Vector512<T> value, T* destination) => value.Store(destination);
    public static Vector512<T> Max(Vector512<T> a, Vector512<T> b) => Vector512.Max(a, b);
    public static Vector512<T> Min(Vector512<T> a, Vector512<T> b) => Vector512.Min(a, b);
}
