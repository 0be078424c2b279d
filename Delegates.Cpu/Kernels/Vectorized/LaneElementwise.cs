using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>Raw pointers to a host tensor's bytes, whatever its dtype (never moved by the GC; see TensorData).</summary>
internal static unsafe class RawTensorData
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Read(Tensor tensor) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.Bytes));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Write(Tensor tensor) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.WritableBytes));
}

/// <summary>
/// What a broadcast binary row writes per element: the op's value (<c>Map</c>, T → T) or its predicate as
/// a bool byte (<c>Truth</c>, T → bool).
/// </summary>
internal unsafe interface IRowWriter<T> where T : unmanaged
{
    /// <summary>Output bytes per element.</summary>
    static abstract int OutputSize { get; }

    /// <summary>Writes TL.Count outputs at <paramref name="output"/> for the lanes of a and b.</summary>
    static abstract void Write<TL, TV>(TV a, TV b, byte* output) where TL : ILanes<T, TV> where TV : unmanaged;
}

internal static class RowWriter
{
    /// <summary>out = op(a, b), of the operands' type.</summary>
    internal readonly unsafe struct Map<T, TOp> : IRowWriter<T> where T : unmanaged where TOp : struct, ILaneOp2<T>
    {
        public static int OutputSize => sizeof(T);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write<TL, TV>(TV a, TV b, byte* output) where TL : ILanes<T, TV> where TV : unmanaged =>
            TL.Store((T*)output, TL.Apply(default(TOp), a, b));
    }

    /// <summary>out = p(a, b) as a bool byte (0 or 1).</summary>
    internal readonly unsafe struct Truth<T, TOp> : IRowWriter<T> where T : unmanaged where TOp : struct, ILanePredicate<T>
    {
        public static int OutputSize => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write<TL, TV>(TV a, TV b, byte* output) where TL : ILanes<T, TV> where TV : unmanaged =>
            TL.StoreTruth(default(TOp), a, b, output);
    }
}

/// <summary>Vector loops over the typed lanes; a tail shorter than a vector runs the same op one lane at a time.</summary>
internal static unsafe class LaneLoops
{
    /// <summary>dst[i] = op(src[i]) for i in [start, end).</summary>
    public static void Map<T, TOp>(SimdWidth width, T* src, T* dst, int start, int end) where T : unmanaged where TOp : struct, ILaneOp<T>
    {
        switch (width)
        {
            case SimdWidth.W512: Map<T, TOp, Lanes512<T>, Vector512<T>>(src, dst, start, end); break;
            case SimdWidth.W256: Map<T, TOp, Lanes256<T>, Vector256<T>>(src, dst, start, end); break;
            case SimdWidth.W128: Map<T, TOp, Lanes128<T>, Vector128<T>>(src, dst, start, end); break;
            default: Map<T, TOp, Lane1<T>, T>(src, dst, start, end); break;
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static void Map<T, TOp, TL, TV>(T* src, T* dst, int start, int end)
        where T : unmanaged where TOp : struct, ILaneOp<T> where TL : ILanes<T, TV> where TV : unmanaged
    {
        var op = default(TOp);
        int i = start;
        for (; i <= end - 2 * TL.Count; i += 2 * TL.Count)
        {
            TV x0 = TL.Load(src + i), x1 = TL.Load(src + i + TL.Count);
            TL.Store(dst + i, TL.Apply(op, x0));
            TL.Store(dst + i + TL.Count, TL.Apply(op, x1));
        }
        for (; i <= end - TL.Count; i += TL.Count) TL.Store(dst + i, TL.Apply(op, TL.Load(src + i)));
        if (i == end) return;
        // The last partial vector is recomputed overlapping lanes already written (same bits: dst never aliases src),
        // staying inside [start, end) so that threads never write each other's ranges.
        if (end - start >= TL.Count)
        {
            TL.Store(dst + end - TL.Count, TL.Apply(op, TL.Load(src + end - TL.Count)));
            return;
        }
        for (; i < end; i++) dst[i] = op.Apply(src[i]);
    }

    /// <summary>
    /// One row of a broadcast binary op: writer(a[i·aStep], b[i·bStep]) to output element i for i in [0, n), where a
    /// step of 0 repeats one element (a broadcast operand) and 1 walks a contiguous row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row<T, TW, TL, TV>(T* a, int aStep, T* b, int bStep, byte* o, int n)
        where T : unmanaged where TW : IRowWriter<T> where TL : ILanes<T, TV> where TV : unmanaged
    {
        int size = TW.OutputSize, count = TL.Count;
        int i = 0;
        if (aStep == 1 && bStep == 1)
        {
            for (; i <= n - count; i += count) TW.Write<TL, TV>(TL.Load(a + i), TL.Load(b + i), o + (nint)i * size);
            if (i == n) return;
            if (n >= count)
            {
                i = n - count; // overlapping last vector (the output never aliases an input)
                TW.Write<TL, TV>(TL.Load(a + i), TL.Load(b + i), o + (nint)i * size);
                return;
            }
            for (; i < n; i++) TW.Write<Lane1<T>, T>(a[i], b[i], o + (nint)i * size);
        }
        else if (aStep == 1)
        {
            T sb = *b;
            TV vb = TL.Splat(sb);
            for (; i <= n - count; i += count) TW.Write<TL, TV>(TL.Load(a + i), vb, o + (nint)i * size);
            if (i == n) return;
            if (n >= count)
            {
                i = n - count;
                TW.Write<TL, TV>(TL.Load(a + i), vb, o + (nint)i * size);
                return;
            }
            for (; i < n; i++) TW.Write<Lane1<T>, T>(a[i], sb, o + (nint)i * size);
        }
        else if (bStep == 1)
        {
            T sa = *a;
            TV va = TL.Splat(sa);
            for (; i <= n - count; i += count) TW.Write<TL, TV>(va, TL.Load(b + i), o + (nint)i * size);
            if (i == n) return;
            if (n >= count)
            {
                i = n - count;
                TW.Write<TL, TV>(va, TL.Load(b + i), o + (nint)i * size);
                return;
            }
            for (; i < n; i++) TW.Write<Lane1<T>, T>(sa, b[i], o + (nint)i * size);
        }
        else
        {
            // Both operands repeat along the row (only a row of one element: a broadcast output dimension above 1
            // always has an operand that walks it).
            T sa = *a, sb = *b;
            for (; i < n; i++) TW.Write<Lane1<T>, T>(sa, sb, o + (nint)i * size);
        }
    }
}

/// <summary>
/// Engine of the typed one-input element-wise ops (ABS, NEG, FLOOR, CEIL, ROUND, SIGN, SQUARE, LOGICAL_NOT):
/// out[i] = op(in[i]) over the flattened tensor (the definition made the output the input's dtype and shape),
/// vectorized, split over the pool in contiguous ranges.
/// </summary>
internal sealed unsafe class LaneUnaryNode<T, TOp> : ICpuCompiledNode where T : unmanaged where TOp : struct, ILaneOp<T>
{
    /// <summary>Element-wise work below this many elements per thread is not worth a hand-off.</summary>
    private const int MinPerThread = 64 * 1024;

    private readonly Tensor _input, _output;
    private readonly SimdWidth _width;
    private readonly int _count;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        LaneLoops.Map<T, TOp>(s.Width, s.Input, s.Output, start, end);

    public LaneUnaryNode(DelegateNode node)
    {
        _input = node.Inputs[0]!;
        _output = node.Outputs[0];
        _width = SimdWidths.Current;
        _count = checked((int)_output.ElementCount);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_count == 0) return;
        var state = new State((T*)RawTensorData.Read(_input), (T*)RawTensorData.Write(_output), _width);
        Chunked.For(pool, _count, MinPerThread, state, Work);
    }

    private readonly struct State(T* input, T* output, SimdWidth width)
    {
        public T* Input => input;
        public T* Output => output;
        public SimdWidth Width => width;
    }
}

/// <summary>
/// Engine of the typed broadcast binary ops (MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, the comparisons, LOGICAL_AND/OR):
/// <typeparamref name="TW"/> per output element with NumPy broadcasting, vectorized along the collapsed innermost rows
/// (<see cref="BroadcastRows"/>), split over the pool by rows (or by row segments when there are few long rows).
/// </summary>
internal sealed unsafe class LaneBinaryNode<T, TW> : ICpuCompiledNode where T : unmanaged where TW : IRowWriter<T>
{
    /// <summary>Element-wise work below this many elements per thread is not worth a hand-off.</summary>
    private const int MinElementsPerThread = 64 * 1024;

    /// <summary>Long rows are cut into segments of at least this many elements so that one row can be shared.</summary>
    private const int SegmentLength = 4096;

    private readonly Tensor _a, _b, _output;
    private readonly BroadcastRows _plan;
    private readonly SimdWidth _width;
    private readonly int _segmentsPerRow;
    private readonly int _segmentLength;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.Run(start, end);

    public LaneBinaryNode(DelegateNode node)
    {
        _a = node.Inputs[0]!;
        _b = node.Inputs[1]!;
        _output = node.Outputs[0];
        _plan = BroadcastRows.Create(_a.Shape, _b.Shape, _output.Shape);
        _width = SimdWidths.Current;
        _segmentsPerRow = _plan.Rows >= 8 ? 1 : Math.Max(1, _plan.RowLength / SegmentLength);
        _segmentLength = (_plan.RowLength + _segmentsPerRow - 1) / _segmentsPerRow;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_output.ElementCount == 0) return;
        var state = new State((T*)RawTensorData.Read(_a), (T*)RawTensorData.Read(_b), RawTensorData.Write(_output), _plan,
            _width, _segmentsPerRow, _segmentLength);
        int units = _plan.Rows * _segmentsPerRow;
        int minUnits = Math.Max(1, MinElementsPerThread / Math.Max(1, Math.Min(_segmentLength, _plan.RowLength)));
        Chunked.For(pool, units, minUnits, state, Work);
    }

    private readonly struct State(T* a, T* b, byte* output, BroadcastRows plan, SimdWidth width, int segmentsPerRow,
        int segmentLength)
    {
        public void Run(int start, int end)
        {
            switch (width)
            {
                case SimdWidth.W512: Run<Lanes512<T>, Vector512<T>>(start, end); break;
                case SimdWidth.W256: Run<Lanes256<T>, Vector256<T>>(start, end); break;
                case SimdWidth.W128: Run<Lanes128<T>, Vector128<T>>(start, end); break;
                default: Run<Lane1<T>, T>(start, end); break;
            }
        }

        [MethodImpl(JitHints.Hot)]
        private void Run<TL, TV>(int start, int end) where TL : ILanes<T, TV> where TV : unmanaged
        {
            int rowLength = plan.RowLength, aStep = plan.AStep, bStep = plan.BStep;
            long rowBytes = (long)rowLength * TW.OutputSize;
            Span<int> index = stackalloc int[Math.Max(1, plan.OuterDims.Length)];
            if (segmentsPerRow == 1)
            {
                // Whole rows: offsets from one division walk, then odometer steps.
                var (aOffset, bOffset) = plan.RowOffsets(start, index);
                for (int row = start; row < end; row++)
                {
                    LaneLoops.Row<T, TW, TL, TV>(a + aOffset, aStep, b + bOffset, bStep, output + row * rowBytes, rowLength);
                    plan.Advance(index, ref aOffset, ref bOffset);
                }
                return;
            }
            // Few long rows, each cut into segments.
            for (int unit = start; unit < end; unit++)
            {
                int row = unit / segmentsPerRow;
                int from = unit % segmentsPerRow * segmentLength;
                int count = Math.Min(segmentLength, rowLength - from);
                if (count <= 0) continue;
                var (aOffset, bOffset) = plan.RowOffsets(row, index);
                LaneLoops.Row<T, TW, TL, TV>(a + aOffset + (aStep == 0 ? 0 : from), aStep, b + bOffset + (bStep == 0 ? 0 : from),
                    bStep, output + row * rowBytes + (long)from * TW.OutputSize, count);
            }
        }
    }
}
